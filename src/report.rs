//! How the `babrpdf` command shows a batch's events: a progress bar on a terminal (a line
//! every few seconds otherwise), each alert on its own line above the bar, the summary at the
//! end; `--quiet` keeps only the alerts.

use std::io::IsTerminal;
use std::sync::OnceLock;
use std::time::Duration;

use babrpdf::batch::{Event, rate, size};

/// The batch's view on stderr.
pub struct BatchReport {
    quiet: bool,
    terminal: bool,
    bar: OnceLock<indicatif::ProgressBar>,
}

impl BatchReport {
    pub fn new(quiet: bool) -> BatchReport {
        BatchReport {
            quiet,
            terminal: std::io::stderr().is_terminal(),
            bar: OnceLock::new(),
        }
    }

    /// Takes one event (from any of the batch's threads).
    pub fn event(&self, event: Event<'_>) {
        match event {
            Event::Started { total } if !self.quiet && self.terminal => {
                let _ = self.bar.set(progress_bar(total));
            }
            Event::Started { .. } => {}
            Event::Handled => {
                if let Some(bar) = self.bar.get() {
                    bar.inc(1);
                }
            }
            Event::Progress { .. } if self.quiet => {}
            Event::Progress {
                done,
                failed,
                elapsed,
                input_read,
            } => {
                let read = match input_read {
                    0 => String::new(),
                    n => format!("{} of input read", size(n)),
                };
                match self.bar.get() {
                    Some(bar) => bar.set_message(read),
                    None => {
                        let read = if read.is_empty() {
                            read
                        } else {
                            format!(", {read}")
                        };
                        eprintln!(
                            "babrpdf: {done} done, {failed} failed, {} articles/s{read}",
                            rate(done, elapsed)
                        );
                    }
                }
            }
            Event::Warning { place, warning } => self.say(&format!("warning: {place}: {warning}")),
            Event::Alert(line) => self.say(line),
            Event::Info(line) => {
                if !self.quiet {
                    self.finish();
                    eprintln!("babrpdf: {line}");
                }
            }
        }
    }

    /// A line on stderr, above the progress bar when there is one (never through it).
    fn say(&self, line: &str) {
        match self.bar.get() {
            Some(bar) => bar.println(format!("babrpdf: {line}")),
            None => eprintln!("babrpdf: {line}"),
        }
    }

    /// Clears the bar (before the summary, or when the batch stops).
    pub fn finish(&self) {
        if let Some(bar) = self.bar.get() {
            bar.finish_and_clear();
        }
    }
}

/// Done/total with rate and ETA when the total is known in advance, a counter with rate
/// otherwise.
fn progress_bar(total: Option<u64>) -> indicatif::ProgressBar {
    // indicatif's own {per_sec} prints "458.0411/s"; whole articles per second read better.
    let style = |template: &str| {
        indicatif::ProgressStyle::with_template(template)
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .with_key(
                "rate",
                |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = write!(w, "{:.0} articles/s", state.per_sec());
                },
            )
    };
    let bar = match total {
        Some(n) => indicatif::ProgressBar::new(n).with_style(style(
            "{bar:40} {pos}/{len} articles, {rate}, ETA {eta} {msg}",
        )),
        None => indicatif::ProgressBar::new_spinner()
            .with_style(style("{spinner} {pos} articles, {rate}, {elapsed} {msg}")),
    };
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}
