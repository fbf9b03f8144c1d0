//! The HTML laid over a graph's canvases: the crosshair (with the tooltip hanging from it) and the
//! drag selection. Moving the pointer writes into these, never into the canvases.

use leptos::html::Div;
use leptos::prelude::*;

/// The crosshair's element and where it stands, so that a move to the same place writes nothing.
#[derive(Default)]
pub struct Crosshair {
    pub el: NodeRef<Div>,
    /// Its style, once looked up: looking it up again at every move costs a call into JavaScript.
    style: Option<web_sys::CssStyleDeclaration>,
    at: Option<f64>,
}

impl Crosshair {
    pub fn new(el: NodeRef<Div>) -> Crosshair {
        Crosshair {
            el,
            style: None,
            at: None,
        }
    }

    /// Puts the crosshair at `x` (CSS pixels in the chart area), or hides it.
    pub fn place(&mut self, x: Option<f64>) {
        let was = self.at;
        if was == x {
            return;
        }
        self.at = x;
        if self.style.is_none() {
            self.style = self
                .el
                .get_untracked()
                .map(|el| web_sys::HtmlElement::style(&el));
        }
        let Some(style) = &self.style else { return };
        // One property at a time: cheaper than rewriting the style attribute at every move.
        match x {
            Some(x) => {
                let _ = style.set_property("left", &css_px(x));
                if was.is_none() {
                    let _ = style.remove_property("display");
                }
            }
            None => {
                let _ = style.set_property("display", "none");
            }
        }
    }
}

/// `x` CSS pixels as CSS text, to the 1/64 px the browser lays out in (Blink's LayoutUnit), so the
/// same place on screen: "523.453125px". Written by hand: a float's shortest decimal form (`{x}`,
/// up to 17 digits here) was the largest piece of our own code in a pointer move.
fn css_px(x: f64) -> String {
    let units = (x * 64.0).round();
    let mut text = String::with_capacity(20);
    if units < 0.0 {
        text.push('-');
    }
    let units = units.abs().min(1e15) as u64;
    push_digits(&mut text, units / 64, 1);
    let frac = units % 64;
    if frac > 0 {
        // k/64 is k × 0.015625: six decimals, exactly.
        text.push('.');
        let mut decimals = frac * 15_625;
        let mut width = 6;
        while decimals.is_multiple_of(10) {
            decimals /= 10;
            width -= 1;
        }
        push_digits(&mut text, decimals, width);
    }
    text.push_str("px");
    text
}

/// `n` in decimal, zero-padded to at least `width` digits.
fn push_digits(text: &mut String, n: u64, width: usize) {
    let mut digits = [b'0'; 20];
    let mut i = digits.len();
    let mut n = n;
    while n > 0 || digits.len() - i < width {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
    }
    text.extend(digits[i..].iter().map(|&d| char::from(d)));
}

#[cfg(test)]
mod tests {
    use super::css_px;

    #[test]
    fn crosshair_positions_are_written_to_the_64th_of_a_pixel() {
        assert_eq!(css_px(0.0), "0px");
        assert_eq!(css_px(-0.001), "0px");
        assert_eq!(css_px(12.0), "12px");
        assert_eq!(css_px(523.453125), "523.453125px");
        assert_eq!(css_px(100.5), "100.5px");
        assert_eq!(css_px(-3.25), "-3.25px");
        assert_eq!(css_px(1.0 / 64.0), "0.015625px");
        // Any x: the text is x rounded to 1/64, exactly.
        for i in 0..20_000 {
            let x = f64::from(i) * 0.0731 - 50.0;
            let rounded = (x * 64.0).round() / 64.0;
            let expected = if rounded == 0.0 {
                "0px".to_owned()
            } else {
                format!("{rounded}px")
            };
            assert_eq!(css_px(x), expected, "{x}");
        }
    }
}
