//! Line wrapping and pagination.
//!
//! Works in PDF points with the origin at the bottom left of an A4 page, like PDF itself.
//! The output is a list of pages, each a list of positioned text runs and rules; turning
//! them into PDF operators is the job of `mod.rs`. Font metrics come through the
//! [`Measure`] trait, so this module knows nothing about font files (and its tests run
//! without them).

use super::fonts::{Family, Weight};
use super::{Block, Document, PageWords};

/// Points per millimetre.
const MM: f32 = 72.0 / 25.4;
/// A4 width.
pub const PAGE_WIDTH: f32 = 210.0 * MM;
/// A4 height.
pub const PAGE_HEIGHT: f32 = 297.0 * MM;
/// The same margin on all four sides.
pub const MARGIN: f32 = 20.0 * MM;

pub(super) const LEFT: f32 = MARGIN;
pub(super) const RIGHT: f32 = PAGE_WIDTH - MARGIN;
pub(super) const TOP: f32 = PAGE_HEIGHT - MARGIN;
pub(super) const CONTENT_WIDTH: f32 = RIGHT - LEFT;

const TITLE_SIZE: f32 = 18.0;
pub(super) const HEADING_SIZE: f32 = 14.0;
pub(super) const BODY_SIZE: f32 = 11.0;
pub(super) const SMALL_SIZE: f32 = 9.0;
/// Line height as a multiple of the font size.
pub(super) const LEADING: f32 = 1.3;
/// Share of the text width given to field labels.
const LABEL_SHARE: f32 = 0.32;
const COLUMN_GAP: f32 = 10.0;
/// Where the text of a bullet starts, from the left margin.
const BULLET_INDENT: f32 = 14.0;
/// Blank space above each signature line, for the signature itself.
const SIGNATURE_SPACE: f32 = 34.0;
/// The footer text is capped so that a runaway footer cannot eat the page.
const MAX_FOOTER_LINES: usize = 4;
/// Tolerance for float comparisons, in points.
pub(super) const EPSILON: f32 = 0.01;

/// Font metrics needed for layout.
pub trait Measure {
    /// The family a word is set in: Titillium when it has every glyph, else the fallback.
    fn family_for(&self, word: &str, weight: Weight) -> Family;
    /// Advance width of `text` in points.
    fn width(&self, text: &str, family: Family, weight: Weight, size: f32) -> f32;
}

/// Ink colour of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Normal,
    /// Grey: header and footer.
    Muted,
}

/// Text on one baseline in one font.
#[derive(Debug, Clone, PartialEq)]
pub struct TextRun {
    pub x: f32,
    pub baseline: f32,
    pub size: f32,
    pub weight: Weight,
    pub family: Family,
    pub tone: Tone,
    pub text: String,
}

/// A horizontal line.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub x1: f32,
    pub x2: f32,
    pub y: f32,
    pub thickness: f32,
}

/// A filled rectangle (a bar of a chart).
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
    pub shade: Shade,
}

/// How a bar is filled: told apart in black and white.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shade {
    Dark,
    /// Light grey with a dark outline.
    Light,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Text(TextRun),
    Rule(Rule),
    Bar(Bar),
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Page {
    pub items: Vec<Item>,
}

/// Lays the document out on as many pages as it needs, footer and page numbers included.
pub fn layout(doc: &Document, m: &dyn Measure) -> Vec<Page> {
    let footer = footer_lines(&doc.footer, &doc.pages, m);
    let footer_height = footer.len().max(1) as f32 * SMALL_SIZE * LEADING;
    let footer_rule_y = MARGIN + footer_height + 4.0;

    let mut engine = Engine {
        m,
        done: Vec::new(),
        current: Page::default(),
        y: TOP,
        bottom: footer_rule_y + 8.0,
    };
    engine.header(&doc.header_lines);
    engine.title(&doc.title);
    let signed = signature_groups(&doc.blocks);
    for (i, block) in doc.blocks.iter().enumerate() {
        // Signatures never stand alone on a page: they go with the fields just before them (the
        // "received by, on, version" of a notice), over any spacer in between.
        if let Some(&(_, last)) = signed.iter().find(|(first, _)| *first == i) {
            let together: f32 = doc.blocks[i..=last]
                .iter()
                .map(|b| engine.flow_height(b))
                .sum();
            if together <= engine.body_height() {
                engine.ensure(together);
            }
        }
        match (block, doc.blocks.get(i + 1)) {
            // A heading stays with its whole section when that fits on a page (a service on the
            // orientation sheet is never split), else with the start of it (a chart: all of it).
            (Block::Heading(text), next) => {
                let start = next.map_or(BODY_SIZE * LEADING, |n| engine.keep_height(n));
                let whole = engine.body_height() - HEADING_SIZE * LEADING * 2.0;
                let mut section = 0.0;
                for b in doc.blocks[i + 1..]
                    .iter()
                    .take_while(|b| !matches!(b, Block::Heading(_)))
                {
                    section += engine.flow_height(b);
                    if section > whole {
                        break;
                    }
                }
                let keep = if section <= whole {
                    section.max(start)
                } else {
                    start
                };
                engine.heading(text, keep);
            }
            // A label with no value introduces what follows ("Documenti da portare" and its
            // list): it does not end a page alone.
            (Block::Field { value, .. }, Some(next)) if value.is_empty() => {
                let together = engine.flow_height(block) + engine.keep_height(next);
                engine.ensure(together);
                engine.block(block);
            }
            _ => engine.block(block),
        }
    }
    let mut pages = engine.finish();

    let total = pages.len();
    for (index, page) in pages.iter_mut().enumerate() {
        let label = doc.pages.label(index + 1, total);
        add_footer(page, &label, &footer, footer_rule_y, m);
    }
    pages
}

/// How many fields before a signature block are kept with it, at most.
const SIGNED_FIELDS: usize = 6;

/// For each signature block, the first and last index of what stays on its page with it: the
/// run of fields just before it (at most [`SIGNED_FIELDS`]), or the one block of content before
/// it, and any spacers in between.
fn signature_groups(blocks: &[Block]) -> Vec<(usize, usize)> {
    let mut groups = Vec::new();
    for (last, block) in blocks.iter().enumerate() {
        if !matches!(block, Block::SignatureLines(_)) {
            continue;
        }
        let mut first = last;
        while first > 0 && matches!(blocks[first - 1], Block::Spacer) {
            first -= 1;
        }
        if first == 0 {
            continue;
        }
        first -= 1;
        let mut fields = 1;
        while matches!(blocks[first], Block::Field { .. })
            && first > 0
            && matches!(blocks[first - 1], Block::Field { .. })
            && fields < SIGNED_FIELDS
        {
            first -= 1;
            fields += 1;
        }
        groups.push((first, last));
    }
    groups
}

/// A piece of a line set in one family; `x` is relative to the start of the line.
#[derive(Debug, Clone, PartialEq)]
struct Segment {
    family: Family,
    text: String,
    x: f32,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct WrappedLine {
    segments: Vec<Segment>,
    pub(super) width: f32,
}

impl WrappedLine {
    fn single(m: &dyn Measure, word: String, family: Family, weight: Weight, size: f32) -> Self {
        let width = m.width(&word, family, weight, size);
        WrappedLine {
            segments: vec![Segment {
                family,
                text: word,
                x: 0.0,
            }],
            width,
        }
    }

    fn last_family(&self) -> Option<Family> {
        self.segments.last().map(|s| s.family)
    }

    /// Appends `word` after a space, on a line that already has a word. The space belongs
    /// to the segment before it, so it is measured in, and drawn with, that segment's font.
    fn push_word(&mut self, word: &str, family: Family, width: f32, space: f32) {
        if self.last_family() == Some(family) {
            if let Some(last) = self.segments.last_mut() {
                last.text.push(' ');
                last.text.push_str(word);
            }
        } else {
            let x = if self.segments.is_empty() {
                0.0
            } else {
                self.width + space
            };
            if let Some(last) = self.segments.last_mut() {
                last.text.push(' ');
            }
            self.segments.push(Segment {
                family,
                text: word.to_string(),
                x,
            });
        }
        self.width += space + width;
    }
}

/// Greedy word wrap. `'\n'` forces a line break; runs of spaces collapse. A word longer
/// than the whole line (an e-mail address, an IBAN) is cut wherever it has to be.
pub(super) fn wrap(
    m: &dyn Measure,
    text: &str,
    weight: Weight,
    size: f32,
    max_width: f32,
) -> Vec<WrappedLine> {
    let mut lines = Vec::new();
    for hard_line in text.split('\n') {
        let mut current = WrappedLine::default();
        for word in hard_line.split(' ').filter(|w| !w.is_empty()) {
            let family = m.family_for(word, weight);
            let width = m.width(word, family, weight, size);
            if width > max_width + EPSILON {
                if !current.segments.is_empty() {
                    lines.push(std::mem::take(&mut current));
                }
                let mut pieces = split_word(m, word, family, weight, size, max_width);
                let last = pieces.pop();
                for piece in pieces {
                    lines.push(WrappedLine::single(m, piece, family, weight, size));
                }
                if let Some(piece) = last {
                    current = WrappedLine::single(m, piece, family, weight, size);
                }
                continue;
            }
            match current.last_family() {
                None => current = WrappedLine::single(m, word.to_string(), family, weight, size),
                Some(previous) => {
                    let space = m.width(" ", previous, weight, size);
                    if current.width + space + width <= max_width + EPSILON {
                        current.push_word(word, family, width, space);
                    } else {
                        lines.push(std::mem::replace(
                            &mut current,
                            WrappedLine::single(m, word.to_string(), family, weight, size),
                        ));
                    }
                }
            }
        }
        // An empty hard line stays, as a blank line.
        lines.push(current);
    }
    lines
}

/// Cuts an overlong word into pieces that each fit `max_width` (at least one char each).
fn split_word(
    m: &dyn Measure,
    word: &str,
    family: Family,
    weight: Weight,
    size: f32,
    max_width: f32,
) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut piece = String::new();
    let mut piece_width = 0.0;
    for c in word.chars() {
        let mut buf = [0u8; 4];
        let char_width = m.width(c.encode_utf8(&mut buf), family, weight, size);
        if !piece.is_empty() && piece_width + char_width > max_width + EPSILON {
            pieces.push(std::mem::take(&mut piece));
            piece_width = 0.0;
        }
        piece.push(c);
        piece_width += char_width;
    }
    if !piece.is_empty() {
        pieces.push(piece);
    }
    pieces
}

/// Adds the runs of a wrapped line to a page.
pub(super) fn push_line(
    items: &mut Vec<Item>,
    line: &WrappedLine,
    x: f32,
    baseline: f32,
    size: f32,
    weight: Weight,
    tone: Tone,
) {
    for segment in &line.segments {
        if segment.text.is_empty() {
            continue;
        }
        items.push(Item::Text(TextRun {
            x: x + segment.x,
            baseline,
            size,
            weight,
            family: segment.family,
            tone,
            text: segment.text.clone(),
        }));
    }
}

fn footer_lines(footer: &str, pages: &PageWords, m: &dyn Measure) -> Vec<WrappedLine> {
    // Room on the right for the widest page label we will ever print.
    let widest_label = &pages.label(999, 999);
    let family = m.family_for(widest_label, Weight::Regular);
    let reserved = m.width(widest_label, family, Weight::Regular, SMALL_SIZE) + 12.0;
    let mut lines = wrap(
        m,
        footer,
        Weight::Regular,
        SMALL_SIZE,
        (CONTENT_WIDTH - reserved).max(50.0),
    );
    lines.truncate(MAX_FOOTER_LINES);
    lines
}

fn add_footer(page: &mut Page, label: &str, footer: &[WrappedLine], rule_y: f32, m: &dyn Measure) {
    page.items.push(Item::Rule(Rule {
        x1: LEFT,
        x2: RIGHT,
        y: rule_y,
        thickness: 0.5,
    }));
    let first_baseline = rule_y - 4.0 - SMALL_SIZE;
    let mut baseline = first_baseline;
    for line in footer {
        push_line(
            &mut page.items,
            line,
            LEFT,
            baseline,
            SMALL_SIZE,
            Weight::Regular,
            Tone::Muted,
        );
        baseline -= SMALL_SIZE * LEADING;
    }
    let family = m.family_for(label, Weight::Regular);
    let width = m.width(label, family, Weight::Regular, SMALL_SIZE);
    page.items.push(Item::Text(TextRun {
        x: RIGHT - width,
        baseline: first_baseline,
        size: SMALL_SIZE,
        weight: Weight::Regular,
        family,
        tone: Tone::Muted,
        text: label.to_string(),
    }));
}

/// Places content top to bottom, breaking pages when a line would cross `bottom`.
pub(super) struct Engine<'a> {
    pub(super) m: &'a dyn Measure,
    done: Vec<Page>,
    pub(super) current: Page,
    /// Top of the next line box.
    pub(super) y: f32,
    /// Lowest point body text may reach (the footer is below).
    bottom: f32,
}

impl Engine<'_> {
    fn finish(mut self) -> Vec<Page> {
        self.done.push(self.current);
        self.done
    }

    fn at_top(&self) -> bool {
        self.y >= TOP - EPSILON
    }

    /// Lowest point body text may reach.
    pub(super) fn bottom_limit(&self) -> f32 {
        self.bottom
    }

    pub(super) fn break_page(&mut self) {
        self.done.push(std::mem::take(&mut self.current));
        self.y = TOP;
    }

    /// Starts a new page unless `height` still fits. A page that is still empty is never
    /// left behind, so content taller than a page cannot loop forever.
    pub(super) fn ensure(&mut self, height: f32) {
        if self.y - height < self.bottom - EPSILON && !self.at_top() {
            self.break_page();
        }
    }

    /// Vertical space, dropped at the top of a page where it would only push text down.
    pub(super) fn skip(&mut self, gap: f32) {
        if !self.at_top() {
            self.y -= gap;
        }
    }

    pub(super) fn body_height(&self) -> f32 {
        TOP - self.bottom
    }

    /// How tall `block` is in the flow of a page: as at the top of one, and a spacer its line
    /// (at the top of a page it would take none).
    fn flow_height(&self, block: &Block) -> f32 {
        match block {
            Block::Spacer => BODY_SIZE * LEADING,
            other => self.height_of(other),
        }
    }

    /// How tall `block` is when set at the top of a page (a page's height or more when it
    /// does not fit on one).
    fn height_of(&self, block: &Block) -> f32 {
        let mut scratch = Engine {
            m: self.m,
            done: Vec::new(),
            current: Page::default(),
            y: TOP,
            bottom: self.bottom,
        };
        scratch.block(block);
        if scratch.done.is_empty() {
            TOP - scratch.y
        } else {
            f32::INFINITY
        }
    }

    fn line(&mut self, line: &WrappedLine, x: f32, size: f32, weight: Weight, tone: Tone) {
        let height = size * LEADING;
        self.ensure(height);
        let baseline = self.y - size;
        push_line(
            &mut self.current.items,
            line,
            x,
            baseline,
            size,
            weight,
            tone,
        );
        self.y -= height;
    }

    pub(super) fn text(
        &mut self,
        text: &str,
        x: f32,
        width: f32,
        size: f32,
        weight: Weight,
        tone: Tone,
    ) {
        for line in wrap(self.m, text, weight, size, width) {
            self.line(&line, x, size, weight, tone);
        }
    }

    fn header(&mut self, lines: &[String]) {
        if lines.is_empty() {
            return;
        }
        for line in lines {
            self.text(
                line,
                LEFT,
                CONTENT_WIDTH,
                SMALL_SIZE,
                Weight::Regular,
                Tone::Muted,
            );
        }
        self.y -= 4.0;
        self.current.items.push(Item::Rule(Rule {
            x1: LEFT,
            x2: RIGHT,
            y: self.y,
            thickness: 0.5,
        }));
        self.y -= 12.0;
    }

    fn title(&mut self, title: &str) {
        if title.trim().is_empty() {
            return;
        }
        self.text(
            title,
            LEFT,
            CONTENT_WIDTH,
            TITLE_SIZE,
            Weight::Bold,
            Tone::Normal,
        );
        self.skip(8.0);
    }

    fn block(&mut self, block: &Block) {
        match block {
            Block::Heading(text) => self.heading(text, BODY_SIZE * LEADING),
            Block::Paragraph(text) => {
                self.text(
                    text,
                    LEFT,
                    CONTENT_WIDTH,
                    BODY_SIZE,
                    Weight::Regular,
                    Tone::Normal,
                );
                self.skip(6.0);
            }
            Block::Field { label, value } => self.field(label, value),
            Block::Bullets(items) => self.bullets(items),
            Block::Spacer => self.skip(BODY_SIZE * LEADING),
            Block::SignatureLines(labels) => self.signatures(labels),
            Block::Table(t) => self.table(t),
            Block::Chart { title, chart } => self.chart(title, chart),
        }
    }

    fn heading(&mut self, text: &str, keep: f32) {
        self.skip(10.0);
        let lines = wrap(self.m, text, Weight::Bold, HEADING_SIZE, CONTENT_WIDTH);
        // Keep the heading with `keep` points of what follows it (never more than a page holds).
        let own = lines.len() as f32 * HEADING_SIZE * LEADING;
        let height = own + keep.min(self.body_height() - own);
        self.ensure(height);
        for line in &lines {
            self.line(line, LEFT, HEADING_SIZE, Weight::Bold, Tone::Normal);
        }
        self.skip(3.0);
    }

    /// Label (bold) in a left column, value in the right column; both wrap.
    fn field(&mut self, label: &str, value: &str) {
        let label_width = CONTENT_WIDTH * LABEL_SHARE;
        let value_x = LEFT + label_width + COLUMN_GAP;
        let labels = wrap(self.m, label, Weight::Bold, BODY_SIZE, label_width);
        let values = wrap(self.m, value, Weight::Regular, BODY_SIZE, RIGHT - value_x);
        let rows = labels.len().max(values.len());
        let line_height = BODY_SIZE * LEADING;
        // Keep a field on one page when it fits on one.
        let height = rows as f32 * line_height;
        if height <= self.body_height() {
            self.ensure(height);
        }
        for row in 0..rows {
            self.ensure(line_height);
            let baseline = self.y - BODY_SIZE;
            if let Some(line) = labels.get(row) {
                push_line(
                    &mut self.current.items,
                    line,
                    LEFT,
                    baseline,
                    BODY_SIZE,
                    Weight::Bold,
                    Tone::Normal,
                );
            }
            if let Some(line) = values.get(row) {
                push_line(
                    &mut self.current.items,
                    line,
                    value_x,
                    baseline,
                    BODY_SIZE,
                    Weight::Regular,
                    Tone::Normal,
                );
            }
            self.y -= line_height;
        }
        self.skip(3.0);
    }

    fn bullets(&mut self, items: &[String]) {
        let bullet_family = self.m.family_for("•", Weight::Regular);
        let text_x = LEFT + BULLET_INDENT;
        let line_height = BODY_SIZE * LEADING;
        for item in items {
            let lines = wrap(self.m, item, Weight::Regular, BODY_SIZE, RIGHT - text_x);
            for (index, line) in lines.iter().enumerate() {
                self.ensure(line_height);
                let baseline = self.y - BODY_SIZE;
                if index == 0 {
                    self.current.items.push(Item::Text(TextRun {
                        x: LEFT + 3.0,
                        baseline,
                        size: BODY_SIZE,
                        weight: Weight::Regular,
                        family: bullet_family,
                        tone: Tone::Normal,
                        text: "•".to_string(),
                    }));
                }
                push_line(
                    &mut self.current.items,
                    line,
                    text_x,
                    baseline,
                    BODY_SIZE,
                    Weight::Regular,
                    Tone::Normal,
                );
                self.y -= line_height;
            }
            self.skip(2.0);
        }
        self.skip(4.0);
    }

    /// Signature lines two per row, each with its caption below the line.
    fn signatures(&mut self, labels: &[String]) {
        self.skip(8.0);
        let gap = 24.0;
        let column_width = (CONTENT_WIDTH - gap) / 2.0;
        let caption_height = SMALL_SIZE * LEADING;
        for row in labels.chunks(2) {
            let captions: Vec<Vec<WrappedLine>> = row
                .iter()
                .map(|label| wrap(self.m, label, Weight::Regular, SMALL_SIZE, column_width))
                .collect();
            let caption_lines = captions.iter().map(Vec::len).max().unwrap_or(1);
            let height = SIGNATURE_SPACE + 3.0 + caption_lines as f32 * caption_height;
            self.ensure(height);
            let rule_y = self.y - SIGNATURE_SPACE;
            for (column, lines) in captions.iter().enumerate() {
                let x = LEFT + column as f32 * (column_width + gap);
                self.current.items.push(Item::Rule(Rule {
                    x1: x,
                    x2: x + column_width,
                    y: rule_y,
                    thickness: 0.6,
                }));
                let mut baseline = rule_y - 3.0 - SMALL_SIZE;
                for line in lines {
                    push_line(
                        &mut self.current.items,
                        line,
                        x,
                        baseline,
                        SMALL_SIZE,
                        Weight::Regular,
                        Tone::Muted,
                    );
                    baseline -= caption_height;
                }
            }
            self.y -= height;
            self.skip(6.0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every char is half an em wide; Cyrillic words go to the fallback family.
    struct Fixed;

    impl Measure for Fixed {
        fn family_for(&self, word: &str, _weight: Weight) -> Family {
            if word.chars().any(|c| ('\u{0400}'..='\u{04FF}').contains(&c)) {
                Family::DejaVu
            } else {
                Family::Titillium
            }
        }

        fn width(&self, text: &str, _family: Family, _weight: Weight, size: f32) -> f32 {
            text.chars().count() as f32 * size * 0.5
        }
    }

    fn line_text(line: &WrappedLine) -> String {
        line.segments.iter().map(|s| s.text.as_str()).collect()
    }

    /// The first page with a text run `wanted` accepts.
    fn page_where(pages: &[Page], wanted: impl Fn(&str) -> bool) -> Option<usize> {
        pages.iter().position(|p| {
            p.items
                .iter()
                .any(|i| matches!(i, Item::Text(t) if wanted(&t.text)))
        })
    }

    #[test]
    fn wrapped_lines_fit_the_width_and_keep_every_word() {
        let text = "Il cittadino si è presentato allo sportello per chiedere informazioni \
                    sull'assegno di inclusione e sui servizi del comune per le famiglie.";
        let lines = wrap(&Fixed, text, Weight::Regular, 10.0, 100.0);
        assert!(lines.len() > 1);
        for line in &lines {
            assert!(line.width <= 100.0 + EPSILON, "{line:?}");
            assert!(
                (line.width
                    - Fixed.width(&line_text(line), Family::Titillium, Weight::Regular, 10.0))
                .abs()
                    < EPSILON
            );
        }
        let joined: Vec<String> = lines.iter().map(line_text).collect();
        assert_eq!(
            joined.join(" "),
            text.split_whitespace().collect::<Vec<_>>().join(" ")
        );
    }

    #[test]
    fn a_word_longer_than_the_line_is_cut() {
        let word = "x".repeat(95);
        let lines = wrap(&Fixed, &format!("a {word} b"), Weight::Regular, 10.0, 100.0);
        // "a" / 20 + 20 + 20 + 20 / 15 + " b"
        assert_eq!(lines.len(), 6);
        assert_eq!(line_text(&lines[0]), "a");
        assert_eq!(line_text(&lines[5]), format!("{} b", "x".repeat(15)));
        assert!(lines.iter().all(|l| l.width <= 100.0 + EPSILON));
    }

    #[test]
    fn hard_breaks_and_blank_lines_are_kept() {
        let lines = wrap(&Fixed, "uno\n\ndue  tre", Weight::Regular, 10.0, 500.0);
        let texts: Vec<String> = lines.iter().map(line_text).collect();
        assert_eq!(texts, ["uno", "", "due tre"]);
    }

    #[test]
    fn fallback_words_get_their_own_segment() {
        let lines = wrap(
            &Fixed,
            "Ciao Олена Шевченко da Forlì",
            Weight::Regular,
            10.0,
            1000.0,
        );
        assert_eq!(lines.len(), 1);
        let segments = &lines[0].segments;
        assert_eq!(segments.len(), 3);
        assert_eq!(
            (segments[0].family, segments[0].text.as_str()),
            (Family::Titillium, "Ciao ")
        );
        assert_eq!(
            (segments[1].family, segments[1].text.as_str()),
            (Family::DejaVu, "Олена Шевченко ")
        );
        assert_eq!(
            (segments[2].family, segments[2].text.as_str()),
            (Family::Titillium, "da Forlì")
        );
        assert!((segments[1].x - 25.0).abs() < EPSILON);
        assert!((segments[2].x - 100.0).abs() < EPSILON);
        assert!((lines[0].width - 140.0).abs() < EPSILON);
    }

    #[test]
    fn a_signature_block_never_stands_alone_on_a_page() {
        let signatures = Block::SignatureLines(vec!["L'operatore".into(), "La persona".into()]);
        // Fill the first page so that the last paragraph would fit but not its signatures.
        for filler in 20..60 {
            let mut blocks: Vec<Block> = (0..filler)
                .map(|i| Block::Field {
                    label: "Voce".into(),
                    value: format!("riga {i}"),
                })
                .collect();
            blocks.push(Block::Paragraph(
                "Dichiaro di aver ricevuto le informazioni.".into(),
            ));
            // The privacy notice puts a spacer before its signatures (review of issue 16).
            if filler % 2 == 0 {
                blocks.push(Block::Spacer);
            }
            blocks.push(signatures.clone());
            let doc = Document {
                pages: Default::default(),
                title: "Scheda di invio".into(),
                header_lines: vec![],
                blocks,
                footer: String::new(),
            };
            let pages = layout(&doc, &Fixed);
            let page_of = |needle: &str| page_where(&pages, |t| t.contains(needle));
            assert_eq!(
                page_of("Dichiaro"),
                page_of("L'operatore"),
                "with {filler} lines before, the signatures left their paragraph"
            );
        }
    }

    /// Review of issue 16: the privacy notice left its signatures on page 2 with only its last
    /// field ("Versione dell'informativa"), splitting the fields the signatures confirm.
    #[test]
    fn signatures_keep_the_fields_they_confirm() {
        for filler in 20..60 {
            let mut blocks: Vec<Block> = (0..filler)
                .map(|i| Block::Paragraph(format!("testo {i}")))
                .collect();
            for label in ["Consegnata a", "Codice", "Data", "Versione"] {
                blocks.push(Block::Field {
                    label: label.into(),
                    value: "valore".into(),
                });
            }
            blocks.push(Block::Spacer);
            blocks.push(Block::SignatureLines(vec![
                "La persona".into(),
                "L'operatore".into(),
            ]));
            let doc = Document {
                pages: PageWords::default(),
                title: "Informativa".into(),
                header_lines: vec![],
                blocks,
                footer: String::new(),
            };
            let pages = layout(&doc, &Fixed);
            let page_of = |needle: &str| page_where(&pages, |t| t == needle);
            assert_eq!(
                page_of("Consegnata a"),
                page_of("La persona"),
                "with {filler} paragraphs before, the fields left their signatures"
            );
        }
    }

    /// Review of issue 16: a service of the orientation sheet broke across pages, leaving its
    /// last field ("Costs …") alone at the top of the next one.
    #[test]
    fn a_short_section_is_never_split_across_pages() {
        let section = |n: usize| {
            let mut blocks = vec![Block::Heading(format!("Servizio {n}"))];
            blocks.extend(
                ["Ente", "Indirizzo", "Telefono", "Orari", "Costi"].map(|label| Block::Field {
                    label: label.into(),
                    value: format!("{label} del servizio {n}"),
                }),
            );
            blocks
        };
        for intro in 0..40 {
            let mut blocks: Vec<Block> = (0..intro)
                .map(|i| Block::Paragraph(format!("riga {i}")))
                .collect();
            for n in 0..6 {
                blocks.extend(section(n));
            }
            let doc = Document {
                pages: PageWords {
                    page: "Page".into(),
                    of: "of".into(),
                },
                title: "Guidance sheet".into(),
                header_lines: vec![],
                blocks,
                footer: String::new(),
            };
            let pages = layout(&doc, &Fixed);
            let page_of = |needle: &str| page_where(&pages, |t| t.contains(needle));
            for n in 0..6 {
                assert_eq!(
                    page_of(&format!("Servizio {n}")),
                    page_of(&format!("Costi del servizio {n}")),
                    "with {intro} lines before, service {n} was split"
                );
            }
            let last = pages.len();
            assert!(page_of(&format!("Page 1 of {last}")) == Some(0));
            assert!(
                page_of("Pagina").is_none(),
                "the page number speaks English"
            );
        }
    }

    #[test]
    fn long_lists_flow_onto_numbered_pages_within_the_margins() {
        let doc = Document {
            pages: Default::default(),
            title: "Promemoria".into(),
            header_lines: vec!["Comune di Prova".into()],
            blocks: vec![
                Block::Field {
                    label: "Nome".into(),
                    value: "Mario Rossi".into(),
                },
                Block::Bullets((1..=120).map(|i| format!("Voce numero {i}")).collect()),
                Block::SignatureLines(vec!["Firma".into(), "Timbro".into(), "Data".into()]),
            ],
            footer: "Sportello sociale".into(),
        };
        let pages = layout(&doc, &Fixed);
        assert!(pages.len() >= 3);
        for (index, page) in pages.iter().enumerate() {
            let label = format!("Pagina {} di {}", index + 1, pages.len());
            assert!(
                page.items
                    .iter()
                    .any(|i| matches!(i, Item::Text(t) if t.text == label)),
                "{label}"
            );
            for item in &page.items {
                match item {
                    Item::Text(t) => {
                        let right = t.x + Fixed.width(&t.text, t.family, t.weight, t.size);
                        assert!(t.x >= LEFT - EPSILON && right <= RIGHT + EPSILON, "{t:?}");
                        assert!(t.baseline >= MARGIN - EPSILON && t.baseline <= TOP, "{t:?}");
                    }
                    Item::Rule(r) => assert!(r.x1 >= LEFT - EPSILON && r.x2 <= RIGHT + EPSILON),
                    Item::Bar(b) => {
                        assert!(b.x >= LEFT - EPSILON && b.x + b.width <= RIGHT + EPSILON)
                    }
                }
            }
        }
    }
}
