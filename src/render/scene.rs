//! A plot as a list of drawing items, rendered either to pixels (with the
//! crate's bitmap font) or to SVG text. One description, two outputs: the PNG
//! and the SVG of a plot have the same geometry.

use std::fmt::Write as _;

use image::{Rgba, RgbaImage};

use super::font::{draw_text, text_size, BASELINE, LINE_HEIGHT};
use super::raster::{draw_polyline, fill_rect, stroke_rect, Point};

/// Where a text's anchor point sits on its box's top edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    /// Top-left corner.
    Start,
    /// Middle of the top edge.
    Middle,
    /// Top-right corner.
    End,
}

/// One drawing item; coordinates in pixels, y down.
#[derive(Debug, Clone)]
pub enum Item {
    /// A polyline (a single segment is two points).
    Line {
        /// The vertices.
        points: Vec<Point>,
        /// RGBA colour.
        color: [u8; 4],
        /// Stroke width in pixels.
        width: f32,
        /// `[on, off]` dash lengths in pixels; `None` for solid.
        dash: Option<[f32; 2]>,
    },
    /// One line of text.
    Text {
        /// Anchor x.
        x: f32,
        /// Top of the text box.
        y: f32,
        /// The text (one line).
        text: String,
        /// Image pixels per font pixel.
        scale: u32,
        /// RGBA colour.
        color: [u8; 4],
        /// How the box sits on the anchor.
        anchor: Anchor,
    },
    /// An axis-aligned rectangle, filled and/or outlined (1 px).
    Rect {
        /// Left edge.
        x: f32,
        /// Top edge.
        y: f32,
        /// Width.
        w: f32,
        /// Height.
        h: f32,
        /// Fill colour.
        fill: Option<[u8; 4]>,
        /// Outline colour.
        stroke: Option<[u8; 4]>,
    },
}

/// A drawing: size, background and items drawn in order.
#[derive(Debug, Clone)]
pub struct Scene {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Background colour.
    pub background: [u8; 4],
    /// Items, back to front.
    pub items: Vec<Item>,
}

impl Scene {
    /// An empty scene of `width x height` pixels on `background`.
    pub fn new(width: u32, height: u32, background: [u8; 4]) -> Self {
        Scene {
            width,
            height,
            background,
            items: Vec::new(),
        }
    }

    /// Adds a polyline.
    pub fn line(&mut self, points: Vec<Point>, color: [u8; 4], width: f32, dash: Option<[f32; 2]>) {
        self.items.push(Item::Line {
            points,
            color,
            width,
            dash,
        });
    }

    /// Adds a text whose box's top edge is at `y`, anchored at `x`.
    pub fn text(&mut self, x: f32, y: f32, text: &str, scale: u32, color: [u8; 4], anchor: Anchor) {
        self.items.push(Item::Text {
            x,
            y,
            text: text.to_string(),
            scale,
            color,
            anchor,
        });
    }

    /// Adds a rectangle.
    pub fn rect(
        &mut self,
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        fill: Option<[u8; 4]>,
        stroke: Option<[u8; 4]>,
    ) {
        self.items.push(Item::Rect {
            x,
            y,
            w,
            h,
            fill,
            stroke,
        });
    }

    /// The scene in pixels; text in the crate's bitmap font.
    pub fn rasterize(&self) -> RgbaImage {
        let mut img = RgbaImage::from_pixel(self.width, self.height, Rgba(self.background));
        for item in &self.items {
            match item {
                Item::Line {
                    points,
                    color,
                    width,
                    dash,
                } => draw_polyline(&mut img, points, *width, *color, *dash),
                Item::Text {
                    x,
                    y,
                    text,
                    scale,
                    color,
                    anchor,
                } => {
                    let (w, _) = text_size(text, *scale);
                    let left = match anchor {
                        Anchor::Start => *x,
                        Anchor::Middle => *x - w as f32 / 2.0,
                        Anchor::End => *x - w as f32,
                    };
                    draw_text(
                        &mut img,
                        left.round() as i32,
                        y.round() as i32,
                        text,
                        *scale,
                        *color,
                    );
                }
                Item::Rect {
                    x,
                    y,
                    w,
                    h,
                    fill,
                    stroke,
                } => {
                    let r = [*x, *y, *w, *h].map(|v| v.round() as i64);
                    if let Some(c) = fill {
                        fill_rect(&mut img, r[0], r[1], r[2], r[3], *c);
                    }
                    if let Some(c) = stroke {
                        stroke_rect(&mut img, r[0], r[1], r[2], r[3], *c);
                    }
                }
            }
        }
        img
    }

    /// The scene as a standalone SVG document. Text uses the generic
    /// `sans-serif` family with a size matching the bitmap font (font size
    /// `10 scale` px, baseline `7 scale` px below the box top), so the file
    /// needs no particular font wherever it is drawn.
    pub fn to_svg(&self) -> String {
        let (w, h) = (self.width, self.height);
        let mut s = String::new();
        let _ = writeln!(
            s,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}">"#
        );
        let _ = writeln!(
            s,
            r#"<rect x="0" y="0" width="{w}" height="{h}" {}/>"#,
            paint("fill", self.background)
        );
        for item in &self.items {
            match item {
                Item::Line {
                    points,
                    color,
                    width,
                    dash,
                } => svg_line(&mut s, points, *color, *width, *dash),
                Item::Text {
                    x,
                    y,
                    text,
                    scale,
                    color,
                    anchor,
                } => {
                    let anchor = match anchor {
                        Anchor::Start => "start",
                        Anchor::Middle => "middle",
                        Anchor::End => "end",
                    };
                    let size = LINE_HEIGHT * scale;
                    let baseline = y + (BASELINE * scale) as f32;
                    let _ = writeln!(
                        s,
                        r#"<text x="{x:.1}" y="{baseline:.1}" font-family="sans-serif" font-size="{size}" text-anchor="{anchor}" {}>{}</text>"#,
                        paint("fill", *color),
                        escape(text)
                    );
                }
                Item::Rect {
                    x,
                    y,
                    w,
                    h,
                    fill,
                    stroke,
                } => {
                    let fill =
                        fill.map_or_else(|| r#"fill="none""#.to_string(), |c| paint("fill", c));
                    let stroke = stroke
                        .map_or_else(String::new, |c| paint("stroke", c) + r#" stroke-width="1""#);
                    // Outlines sit half a pixel inside, like the raster's.
                    let _ = writeln!(
                        s,
                        r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" {fill} {stroke}/>"#,
                        x + 0.5,
                        y + 0.5,
                        (w - 1.0).max(0.0),
                        (h - 1.0).max(0.0)
                    );
                }
            }
        }
        s.push_str("</svg>\n");
        s
    }
}

fn svg_line(s: &mut String, points: &[Point], color: [u8; 4], width: f32, dash: Option<[f32; 2]>) {
    let finite: Vec<&Point> = points
        .iter()
        .filter(|p| p.0.is_finite() && p.1.is_finite())
        .collect();
    if finite.len() < 2 {
        return;
    }
    let coords: Vec<String> = finite
        .iter()
        .map(|p| format!("{:.2},{:.2}", p.0, p.1))
        .collect();
    let dash = dash.map_or_else(String::new, |[on, off]| {
        format!(r#" stroke-dasharray="{on} {off}""#)
    });
    let _ = writeln!(
        s,
        r#"<polyline points="{}" fill="none" {} stroke-width="{width}" stroke-linejoin="round"{dash}/>"#,
        coords.join(" "),
        paint("stroke", color)
    );
}

/// `fill="#rrggbb"` (or stroke), with an opacity attribute when not opaque.
fn paint(what: &str, c: [u8; 4]) -> String {
    let mut s = format!(r##"{what}="#{:02x}{:02x}{:02x}""##, c[0], c[1], c[2]);
    if c[3] != 255 {
        let _ = write!(s, r#" {what}-opacity="{:.3}""#, f32::from(c[3]) / 255.0);
    }
    s
}

/// `text` with the five XML special characters escaped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn svg_escapes_text_and_draws_items() {
        let mut scene = Scene::new(100, 50, [255; 4]);
        scene.text(10.0, 10.0, "a < b & c", 1, [0, 0, 0, 255], Anchor::Start);
        scene.line(
            vec![(0.0, 0.0), (10.0, 10.0)],
            [255, 0, 0, 128],
            2.0,
            Some([4.0, 2.0]),
        );
        let svg = scene.to_svg();
        assert!(svg.contains("a &lt; b &amp; c"));
        assert!(svg.contains("stroke-dasharray=\"4 2\""));
        assert!(svg.contains("stroke-opacity"));
    }
}
