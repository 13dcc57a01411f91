//! Tables and charts on the page: the statistics report's figures. Tables repeat their header on
//! each page they span; charts are bars in two greys with their values printed, so that they
//! read in black and white.

use super::fonts::Weight;
use super::layout::{
    push_line, wrap, Bar, Engine, Item, Rule, Shade, TextRun, Tone, BODY_SIZE, CONTENT_WIDTH,
    EPSILON, LEADING, LEFT, RIGHT, SMALL_SIZE,
};
use super::{Block, Chart, Table};
use crate::domain::text::{percent, thousands};

/// Share of the width given to the first (text) column of a table.
const LABEL_SHARE: f32 = 0.34;
const CELL_PAD: f32 = 3.0;

impl Engine<'_> {
    /// A run of `text` ending at `right` (figures line up on their last digit).
    fn right_aligned(&mut self, text: &str, right: f32, baseline: f32, size: f32, weight: Weight) {
        let family = self.m.family_for(text, weight);
        let width = self.m.width(text, family, weight, size);
        self.current.items.push(Item::Text(TextRun {
            x: right - width,
            baseline,
            size,
            weight,
            family,
            tone: Tone::Normal,
            text: text.to_string(),
        }));
    }

    fn label(&mut self, text: &str, x: f32, baseline: f32, size: f32, weight: Weight) {
        let family = self.m.family_for(text, weight);
        self.current.items.push(Item::Text(TextRun {
            x,
            baseline,
            size,
            weight,
            family,
            tone: Tone::Normal,
            text: text.to_string(),
        }));
    }

    fn rule(&mut self, y: f32, thickness: f32) {
        self.current.items.push(Item::Rule(Rule {
            x1: LEFT,
            x2: RIGHT,
            y,
            thickness,
        }));
    }

    pub(super) fn table(&mut self, t: &Table) {
        let columns = t.head.len().max(1);
        // Wide tables (a column per month) in a smaller size.
        let size = if columns > 8 { 7.0 } else { SMALL_SIZE };
        let line = size * LEADING;
        let first = if columns == 1 {
            CONTENT_WIDTH
        } else {
            CONTENT_WIDTH * LABEL_SHARE
        };
        let other = if columns > 1 {
            (CONTENT_WIDTH - first) / (columns - 1) as f32
        } else {
            0.0
        };
        let right_of = |c: usize| LEFT + first + other * c as f32;
        let head_lines: Vec<_> = t
            .head
            .iter()
            .enumerate()
            .map(|(c, h)| {
                let w = if c == 0 { first } else { other } - CELL_PAD;
                wrap(self.m, h, Weight::Bold, size, w.max(10.0))
            })
            .collect();
        let head_height = head_lines.iter().map(Vec::len).max().unwrap_or(1) as f32 * line + 3.0;
        let draw_head = |e: &mut Engine| {
            let top = e.y;
            for (c, lines) in head_lines.iter().enumerate() {
                for (k, l) in lines.iter().enumerate() {
                    let baseline = top - size - line * k as f32;
                    if c == 0 {
                        push_line(
                            &mut e.current.items,
                            l,
                            LEFT,
                            baseline,
                            size,
                            Weight::Bold,
                            Tone::Normal,
                        );
                    } else {
                        let right = right_of(c) - CELL_PAD;
                        push_line(
                            &mut e.current.items,
                            l,
                            right - l.width,
                            baseline,
                            size,
                            Weight::Bold,
                            Tone::Normal,
                        );
                    }
                }
            }
            e.y -= head_height;
            e.rule(e.y + 1.5, 0.6);
        };
        // The header and the first row stay together.
        self.ensure(head_height + line * 2.0);
        draw_head(self);
        let last = t.rows.len().saturating_sub(1);
        for (i, row) in t.rows.iter().enumerate() {
            let total = t.total && i == last;
            let weight = if total { Weight::Bold } else { Weight::Regular };
            let labels = wrap(
                self.m,
                row.first().map_or("", String::as_str),
                weight,
                size,
                first - CELL_PAD,
            );
            let height = labels.len().max(1) as f32 * line;
            if self.y - height < self.bottom_limit() - EPSILON {
                self.break_page();
                draw_head(self);
            }
            if total {
                self.rule(self.y + 0.5, 0.4);
            }
            let baseline = self.y - size;
            for (k, l) in labels.iter().enumerate() {
                push_line(
                    &mut self.current.items,
                    l,
                    LEFT,
                    baseline - line * k as f32,
                    size,
                    weight,
                    Tone::Normal,
                );
            }
            for (c, cell) in row.iter().enumerate().skip(1) {
                self.right_aligned(cell, right_of(c) - CELL_PAD, baseline, size, weight);
            }
            self.y -= height;
        }
        self.skip(8.0);
    }

    /// How much of `block` a heading above it keeps on its page: a chart whole, a table its
    /// header and first row, anything else a line.
    pub(super) fn keep_height(&self, block: &Block) -> f32 {
        match block {
            Block::Chart { chart, .. } => chart_height(chart) + BODY_SIZE * LEADING + 4.0,
            Block::Table(_) => SMALL_SIZE * LEADING * 4.0,
            // A paragraph introduces what follows: keep a few lines of it too.
            Block::Paragraph(_) => BODY_SIZE * LEADING * 5.0,
            _ => BODY_SIZE * LEADING,
        }
    }

    pub(super) fn chart(&mut self, title: &str, chart: &Chart) {
        let height = chart_height(chart);
        let title_height = BODY_SIZE * LEADING + 4.0;
        if height + title_height <= self.body_height() {
            self.ensure(height + title_height);
        }
        self.text(
            title,
            LEFT,
            CONTENT_WIDTH,
            BODY_SIZE,
            Weight::Bold,
            Tone::Normal,
        );
        self.y -= 4.0;
        let top = self.y;
        match chart {
            Chart::Columns { series, groups } => self.columns(top, series, groups),
            Chart::Shares { rows, base } => self.shares(top, rows, *base),
            Chart::Pyramid { rows } => self.pyramid(top, rows),
        }
        self.y = top - height;
        self.skip(10.0);
    }

    fn bar(&mut self, x: f32, y: f32, width: f32, height: f32, shade: Shade) {
        self.current.items.push(Item::Bar(Bar {
            x,
            y,
            width: width.max(0.5),
            height: height.max(0.0),
            shade,
        }));
    }

    fn columns(&mut self, top: f32, series: &[String], groups: &[(String, Vec<u64>)]) {
        let plot_h = 140.0;
        let axis_w = 36.0;
        let base_y = top - plot_h;
        let max = crate::stats::nice_ceiling(
            groups
                .iter()
                .flat_map(|g| g.1.iter().copied())
                .max()
                .unwrap_or(0),
        );
        let group_w = (CONTENT_WIDTH - axis_w) / groups.len().max(1) as f32;
        let bar_w = (group_w * 0.8) / series.len().max(1) as f32;
        for v in [0, max / 2, max] {
            let y = base_y + v as f32 * plot_h / max as f32;
            self.current.items.push(Item::Rule(Rule {
                x1: LEFT + axis_w,
                x2: RIGHT,
                y,
                thickness: 0.2,
            }));
            self.right_aligned(
                &thousands(v),
                LEFT + axis_w - 4.0,
                y - 2.5,
                7.0,
                Weight::Regular,
            );
        }
        // Every label when they fit, else one in so many.
        let every = ((groups.len() as f32 * 22.0) / (CONTENT_WIDTH - axis_w))
            .ceil()
            .max(1.0) as usize;
        for (i, (label, values)) in groups.iter().enumerate() {
            let x0 = LEFT + axis_w + group_w * i as f32 + group_w * 0.1;
            for (k, v) in values.iter().enumerate() {
                let h = *v as f32 * plot_h / max as f32;
                let shade = if k == 0 { Shade::Dark } else { Shade::Light };
                self.bar(x0 + bar_w * k as f32, base_y, bar_w, h, shade);
            }
            if i % every == 0 {
                let family = self.m.family_for(label, Weight::Regular);
                let w = self.m.width(label, family, Weight::Regular, 7.0);
                self.label(
                    label,
                    x0 + group_w * 0.4 - w / 2.0,
                    base_y - 10.0,
                    7.0,
                    Weight::Regular,
                );
            }
        }
        let legend_y = base_y - 28.0;
        for (k, s) in series.iter().enumerate() {
            let x = LEFT + axis_w + 170.0 * k as f32;
            let shade = if k == 0 { Shade::Dark } else { Shade::Light };
            self.bar(x, legend_y, 9.0, 9.0, shade);
            self.label(s, x + 13.0, legend_y + 1.5, 8.0, Weight::Regular);
        }
    }

    fn shares(&mut self, top: f32, rows: &[(String, u64)], base: u64) {
        let label_w = CONTENT_WIDTH * 0.4;
        let bar_max = CONTENT_WIDTH * 0.45;
        let base = base.max(1);
        for (i, (label, n)) in rows.iter().enumerate() {
            let y = top - 14.0 * (i + 1) as f32;
            let lines = wrap(self.m, label, Weight::Regular, 8.0, label_w - 6.0);
            if let Some(first) = lines.first() {
                push_line(
                    &mut self.current.items,
                    first,
                    LEFT,
                    y + 2.0,
                    8.0,
                    Weight::Regular,
                    Tone::Normal,
                );
            }
            let w = *n as f32 * bar_max / base as f32;
            self.bar(LEFT + label_w, y, w, 9.0, Shade::Dark);
            self.label(
                &percent(*n, base),
                LEFT + label_w + w + 4.0,
                y + 2.0,
                8.0,
                Weight::Regular,
            );
        }
    }

    fn pyramid(&mut self, top: f32, rows: &[(String, u64, u64)]) {
        let mid_w = 60.0;
        let half = (CONTENT_WIDTH - mid_w) / 2.0;
        let center = LEFT + half;
        let max = rows.iter().map(|r| r.1.max(r.2)).max().unwrap_or(0).max(1);
        let scale = |v: u64| v as f32 * (half - 40.0) / max as f32;
        self.label("Femmine", LEFT, top - 9.0, 8.0, Weight::Bold);
        self.right_aligned("Maschi", RIGHT, top - 9.0, 8.0, Weight::Bold);
        for (i, (label, f, m)) in rows.iter().rev().enumerate() {
            let y = top - 16.0 - 14.0 * (i + 1) as f32;
            let (wf, wm) = (scale(*f), scale(*m));
            self.bar(center - wf, y, wf, 9.0, Shade::Dark);
            self.right_aligned(
                &thousands(*f),
                center - wf - 3.0,
                y + 2.0,
                8.0,
                Weight::Regular,
            );
            let family = self.m.family_for(label, Weight::Regular);
            let w = self.m.width(label, family, Weight::Regular, 8.0);
            self.label(
                label,
                center + mid_w / 2.0 - w / 2.0,
                y + 2.0,
                8.0,
                Weight::Regular,
            );
            self.bar(center + mid_w, y, wm, 9.0, Shade::Light);
            self.label(
                &thousands(*m),
                center + mid_w + wm + 3.0,
                y + 2.0,
                8.0,
                Weight::Regular,
            );
        }
    }
}

/// The height a chart takes below its title.
fn chart_height(chart: &Chart) -> f32 {
    match chart {
        Chart::Columns { .. } => 190.0,
        Chart::Shares { rows, .. } => rows.len() as f32 * 14.0 + 6.0,
        Chart::Pyramid { rows } => rows.len() as f32 * 14.0 + 20.0,
    }
}
