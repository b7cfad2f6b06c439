//! CRDs gantry owns. (Filled in by the CRD work.)
