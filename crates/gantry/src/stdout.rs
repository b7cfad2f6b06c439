//! Standard output for every subcommand. A reader that goes away (`gantry plan | head`) ends
//! gantry quietly with the status a shell reports for a process stopped by SIGPIPE, instead of
//! the panic `print!` gives on a closed pipe.

use std::fmt;
use std::io::{self, Write};

/// 128 + SIGPIPE: what `yes | head -1` reports for `yes`.
pub const CLOSED_PIPE_STATUS: i32 = 128 + 13;

/// Writes to standard output; used through the `out!` and `outln!` macros.
pub fn write(args: fmt::Arguments<'_>) {
    let mut stdout = io::stdout().lock();
    if let Err(err) = stdout.write_fmt(args).and_then(|()| stdout.flush()) {
        if err.kind() == io::ErrorKind::BrokenPipe {
            std::process::exit(CLOSED_PIPE_STATUS);
        }
        // Nothing more can be printed; say why on stderr, as other command-line tools do.
        let _ = writeln!(io::stderr(), "error: writing to standard output: {err}");
        std::process::exit(1);
    }
}

/// `print!` that ends quietly when standard output is closed.
#[macro_export]
macro_rules! out {
    ($($arg:tt)*) => { $crate::stdout::write(format_args!($($arg)*)) };
}

/// `println!` that ends quietly when standard output is closed.
#[macro_export]
macro_rules! outln {
    () => { $crate::stdout::write(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::stdout::write(format_args!("{}\n", format_args!($($arg)*))) };
}
