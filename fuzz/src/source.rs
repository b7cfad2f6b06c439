//! Choices drawn from fuzzer bytes: the only randomness the scenario generator sees.
//!
//! Written here rather than taken from the `arbitrary` crate so that the generator also runs
//! in the main workspace's proptest suite (crates/translate/tests/fuzz_scenarios.rs), which has
//! no `arbitrary` dependency: proptest draws the bytes there. Once the bytes run out every
//! choice is the first option, so short inputs give small scenarios and libFuzzer's mutations
//! map to small changes of the scenario.

pub struct Source<'a> {
    bytes: &'a [u8],
}

impl<'a> Source<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Source { bytes }
    }

    fn byte(&mut self) -> u8 {
        match self.bytes.split_first() {
            Some((first, rest)) => {
                self.bytes = rest;
                *first
            }
            None => 0,
        }
    }

    /// A number in `0..n` (`n` at most 256; 0 when `n` is 0 or 1).
    pub fn below(&mut self, n: usize) -> usize {
        if n <= 1 {
            return 0;
        }
        usize::from(self.byte()) % n
    }

    /// A number in `0..=max`.
    pub fn up_to(&mut self, max: usize) -> usize {
        self.below(max + 1)
    }

    pub fn pick<T: Copy>(&mut self, options: &[T]) -> T {
        options[self.below(options.len())]
    }

    /// True about one time in `n`.
    pub fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == n - 1
    }
}
