//! `wire_enum!`: string enums whose variants are spelled once, with their wire value.
//!
//! Every enum in these CRDs is a closed set of strings. Writing the wire value next to the
//! variant keeps serde, the schema and `as_str()` from drifting apart.

/// Declares a string enum with serde renames, `as_str()`, `ALL` and `Display`.
///
/// ```text
/// wire_enum! {
///     /// Doc of the enum.
///     pub enum Scheme {
///         Internal = "internal",
///         InternetFacing = "internet-facing",
///     }
/// }
/// ```
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$variant_meta:meta])* $variant:ident = $wire:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash,
            ::serde::Serialize, ::serde::Deserialize, ::schemars::JsonSchema,
        )]
        $vis enum $name {
            $( $(#[$variant_meta])* #[serde(rename = $wire)] $variant, )+
        }

        impl $name {
            /// Every value, in the order the schema lists them.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The value as written in manifests.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $wire,)+
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use wire_enum;
