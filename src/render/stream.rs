//! Streaming a page into its staged file: templates render straight into
//! the file, and what failed (the write or the template) is kept apart.

use std::io;

/// What filling a streamed file can fail with.
pub enum WriteError {
    Io(io::Error),
    Template(askama::Error),
}

impl From<io::Error> for WriteError {
    fn from(e: io::Error) -> Self {
        WriteError::Io(e)
    }
}

/// `fmt::Write` over an `io::Write`, so a template renders straight into a
/// file; the I/O error a `fmt::Error` hides is kept.
pub struct FmtToIo<W: io::Write> {
    inner: W,
    error: Option<io::Error>,
}

impl<W: io::Write> FmtToIo<W> {
    pub fn new(inner: W) -> Self {
        FmtToIo { inner, error: None }
    }

    /// The outcome of rendering `result` into this writer, then flushing it.
    pub fn finish(mut self, result: Result<(), askama::Error>) -> Result<(), WriteError> {
        match (result, self.error.take()) {
            (_, Some(e)) => Err(WriteError::Io(e)),
            (Err(e), None) => Err(WriteError::Template(e)),
            (Ok(()), None) => self.inner.flush().map_err(WriteError::Io),
        }
    }
}

impl<W: io::Write> std::fmt::Write for FmtToIo<W> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.inner.write_all(s.as_bytes()).map_err(|e| {
            self.error = Some(e);
            std::fmt::Error
        })
    }
}
