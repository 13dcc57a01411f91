//! Printable documents for citizens (access promemoria, appointment reminders, notices).
//!
//! A [`Document`] is plain data: a title, a few header lines (the desk's name and
//! address), blocks of text and a footer. [`render`] lays it out on A4 pages with 20 mm
//! margins, wraps lines using the fonts' real advance widths, breaks pages, numbers them
//! ("Pagina N di M") and returns the PDF bytes. The only I/O is reading the fonts
//! embedded in the binary.
//!
//! Text is set in Titillium Web, the font of the web interface. A word Titillium cannot
//! draw (a Cyrillic or Greek name) is set in DejaVu Sans; a character neither font has is
//! printed as '?'. Fonts are embedded as subsets, with a ToUnicode map, so the text can
//! be searched and copied, accents included. Scripts that need shaping or right-to-left
//! ordering (Arabic, Hebrew) are drawn letter by letter, left to right: the text layer is
//! right, the printed shape is not.

pub mod documents;
mod figures;
mod fonts;
mod layout;
pub mod report;

use printpdf::{
    Color, FontId, Greyscale, Line, LinePoint, Mm, Op, PaintMode, PdfDocument, PdfFontHandle,
    PdfPage, PdfParseErrorSeverity, PdfSaveOptions, PdfWarnMsg, Point, Pt, Rect, TextItem,
};

use self::fonts::{clean, Family, FontSet, Weight};
use self::layout::{Item, Page, Shade, Tone};

/// A document to print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// Printed at the top of the first page (18 pt bold) and used as the PDF title.
    pub title: String,
    /// Small lines above the title on the first page: desk name, address, contacts.
    pub header_lines: Vec<String>,
    pub blocks: Vec<Block>,
    /// Printed at the bottom of every page, next to the page number.
    pub footer: String,
    /// How the page number reads, in the document's language.
    pub pages: PageWords,
}

/// The words around a page number: "Pagina 1 di 2", "Page 1 of 2".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageWords {
    pub page: String,
    pub of: String,
}

impl Default for PageWords {
    fn default() -> Self {
        PageWords {
            page: "Pagina".into(),
            of: "di".into(),
        }
    }
}

impl PageWords {
    pub fn label(&self, number: usize, total: usize) -> String {
        format!("{} {number} {} {total}", self.page, self.of)
    }
}

/// A piece of content. Text may contain `'\n'` for forced line breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A section title, 14 pt bold, kept on the same page as the line after it.
    Heading(String),
    Paragraph(String),
    /// A label (bold, left column) and its value (right column). No colon is added.
    Field {
        label: String,
        value: String,
    },
    Bullets(Vec<String>),
    /// One empty line.
    Spacer,
    /// Lines to sign on, two per row, each with its caption below.
    SignatureLines(Vec<String>),
    /// Rows under a header repeated on each page the table spans.
    Table(Table),
    /// A chart with its title, drawn in greys (readable in black and white).
    Chart {
        title: String,
        chart: Chart,
    },
}

/// A table: the first column is text (it wraps), the others are figures (right-aligned).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub head: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// The last row is a total (printed bold, above a rule).
    pub total: bool,
}

/// What a chart draws.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Chart {
    /// Vertical bars per group (months), one per series: dark, then light.
    Columns {
        series: Vec<String>,
        groups: Vec<(String, Vec<u64>)>,
    },
    /// One horizontal bar per row with its share of `base`.
    Shares { rows: Vec<(String, u64)>, base: u64 },
    /// Women to the left, men to the right, the youngest at the bottom: (band, women, men).
    Pyramid { rows: Vec<(String, u64, u64)> },
}

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("il font {0} manca tra i file incorporati nel programma")]
    FontMissing(&'static str),
    #[error("il font {0} non è leggibile")]
    FontUnreadable(&'static str),
    #[error("la creazione del PDF non è riuscita")]
    Serialization,
}

/// Lays out and serializes `doc` as an A4 PDF.
pub fn render(doc: &Document) -> Result<Vec<u8>, PdfError> {
    render_with_warnings(doc).map(|(bytes, _)| bytes)
}

/// [`render`], also returning printpdf's diagnostics (font subsetting failures show up
/// there: printpdf then embeds the whole font and carries on).
fn render_with_warnings(doc: &Document) -> Result<(Vec<u8>, Vec<PdfWarnMsg>), PdfError> {
    let (fonts, prepared) = prepare(doc)?;
    // No page cap: a document's length follows its data, and some (the art. 15 report of a
    // long history) are a legal duty whatever their length.
    let pages = layout::layout(&prepared, &fonts);

    let mut pdf = PdfDocument::new(&prepared.title);
    pdf.metadata.info.creator = "Sportello".to_string();
    pdf.metadata.info.producer = "Sportello (printpdf)".to_string();
    // printpdf would write 1970-01-01.
    let now = printpdf::OffsetDateTime::now();
    pdf.metadata.info.creation_date = now;
    pdf.metadata.info.modification_date = now;
    pdf.metadata.info.metadata_date = now;
    let font_ids: Vec<((Family, Weight), FontId)> = fonts
        .faces()
        .into_iter()
        .map(|(family, weight, face)| ((family, weight), pdf.add_font(face.parsed())))
        .collect();
    pdf.pages = pages
        .iter()
        .map(|page| PdfPage::new(Mm(210.0), Mm(297.0), page_ops(page, &font_ids)))
        .collect();

    // Subsetting is printpdf's default; spelled out because the file size depends on it
    // (DejaVu Sans alone is 740 kB in full).
    let options = PdfSaveOptions {
        subset_fonts: true,
        ..PdfSaveOptions::default()
    };
    let mut warnings = Vec::new();
    let bytes = pdf.save(&options, &mut warnings);
    // printpdf swallows write errors; an empty or headless buffer is how they show.
    if !bytes.starts_with(b"%PDF-") {
        return Err(PdfError::Serialization);
    }
    for warning in warnings
        .iter()
        .filter(|w| w.severity == PdfParseErrorSeverity::Error)
    {
        tracing::warn!(detail = %warning.msg, "problema nella creazione del PDF");
    }
    Ok((bytes, warnings))
}

/// Loads the fonts the document needs and normalizes its text to what they can draw.
fn prepare(doc: &Document) -> Result<(FontSet, Document), PdfError> {
    let mut fonts = FontSet::load()?;
    let cleaned = map_texts(doc, &|text: &str, weight: Weight| {
        fonts.simplify(&clean(text), weight)
    });
    if texts(&cleaned)
        .iter()
        .any(|(text, weight)| !fonts.primary_covers(text, *weight))
    {
        fonts.load_fallback()?;
    }
    let prepared = map_texts(&cleaned, &|text: &str, weight: Weight| {
        fonts.substitute(text, weight)
    });
    Ok((fonts, prepared))
}

/// Every text of the document with the weight it is printed in.
fn texts(doc: &Document) -> Vec<(&str, Weight)> {
    let mut out = vec![
        (doc.title.as_str(), Weight::Bold),
        (doc.footer.as_str(), Weight::Regular),
    ];
    out.extend(
        doc.header_lines
            .iter()
            .map(|l| (l.as_str(), Weight::Regular)),
    );
    for block in &doc.blocks {
        match block {
            Block::Heading(text) => out.push((text.as_str(), Weight::Bold)),
            Block::Paragraph(text) => out.push((text.as_str(), Weight::Regular)),
            Block::Field { label, value } => {
                out.push((label.as_str(), Weight::Bold));
                out.push((value.as_str(), Weight::Regular));
            }
            Block::Bullets(items) | Block::SignatureLines(items) => {
                out.extend(items.iter().map(|i| (i.as_str(), Weight::Regular)));
            }
            Block::Spacer => {}
            Block::Table(t) => {
                out.extend(t.head.iter().map(|c| (c.as_str(), Weight::Bold)));
                for row in &t.rows {
                    out.extend(row.iter().map(|c| (c.as_str(), Weight::Regular)));
                }
                if let Some(last) = t.rows.last().filter(|_| t.total) {
                    out.extend(last.iter().map(|c| (c.as_str(), Weight::Bold)));
                }
            }
            Block::Chart { title, chart } => {
                out.push((title.as_str(), Weight::Bold));
                match chart {
                    Chart::Columns { series, groups } => {
                        out.extend(series.iter().map(|s| (s.as_str(), Weight::Regular)));
                        out.extend(groups.iter().map(|g| (g.0.as_str(), Weight::Regular)));
                    }
                    Chart::Shares { rows, .. } => {
                        out.extend(rows.iter().map(|r| (r.0.as_str(), Weight::Regular)));
                    }
                    Chart::Pyramid { rows } => {
                        out.extend(rows.iter().map(|r| (r.0.as_str(), Weight::Regular)));
                    }
                }
            }
        }
    }
    out
}

/// A copy of the document with `f` applied to every text (weights as in [`texts`]).
fn map_texts(doc: &Document, f: &dyn Fn(&str, Weight) -> String) -> Document {
    let regular = |items: &[String]| {
        items
            .iter()
            .map(|i| f(i.as_str(), Weight::Regular))
            .collect::<Vec<_>>()
    };
    Document {
        pages: doc.pages.clone(),
        title: f(doc.title.as_str(), Weight::Bold),
        header_lines: regular(doc.header_lines.as_slice()),
        blocks: doc
            .blocks
            .iter()
            .map(|block| match block {
                Block::Heading(text) => Block::Heading(f(text.as_str(), Weight::Bold)),
                Block::Paragraph(text) => Block::Paragraph(f(text.as_str(), Weight::Regular)),
                Block::Field { label, value } => Block::Field {
                    label: f(label.as_str(), Weight::Bold),
                    value: f(value.as_str(), Weight::Regular),
                },
                Block::Bullets(items) => Block::Bullets(regular(items.as_slice())),
                Block::Spacer => Block::Spacer,
                Block::SignatureLines(items) => Block::SignatureLines(regular(items.as_slice())),
                Block::Table(t) => {
                    let last = t.rows.len().saturating_sub(1);
                    Block::Table(Table {
                        head: t.head.iter().map(|c| f(c, Weight::Bold)).collect(),
                        rows: t
                            .rows
                            .iter()
                            .enumerate()
                            .map(|(i, row)| {
                                let w = if t.total && i == last {
                                    Weight::Bold
                                } else {
                                    Weight::Regular
                                };
                                row.iter().map(|c| f(c, w)).collect()
                            })
                            .collect(),
                        total: t.total,
                    })
                }
                Block::Chart { title, chart } => Block::Chart {
                    title: f(title, Weight::Bold),
                    chart: match chart {
                        Chart::Columns { series, groups } => Chart::Columns {
                            series: regular(series.as_slice()),
                            groups: groups
                                .iter()
                                .map(|(l, v)| (f(l, Weight::Regular), v.clone()))
                                .collect(),
                        },
                        Chart::Shares { rows, base } => Chart::Shares {
                            rows: rows
                                .iter()
                                .map(|(l, n)| (f(l, Weight::Regular), *n))
                                .collect(),
                            base: *base,
                        },
                        Chart::Pyramid { rows } => Chart::Pyramid {
                            rows: rows
                                .iter()
                                .map(|(l, a, b)| (f(l, Weight::Regular), *a, *b))
                                .collect(),
                        },
                    },
                },
            })
            .collect(),
        footer: f(doc.footer.as_str(), Weight::Regular),
    }
}

fn ink(tone: Tone) -> Color {
    let percent = match tone {
        Tone::Normal => 0.0,
        Tone::Muted => 0.35,
    };
    Color::Greyscale(Greyscale {
        percent,
        icc_profile: None,
    })
}

fn point(x: f32, y: f32) -> LinePoint {
    LinePoint {
        p: Point { x: Pt(x), y: Pt(y) },
        bezier: false,
    }
}

/// PDF operators for one page. Each run is its own text object positioned from the
/// origin (`Td` is relative, so a fresh `BT` keeps it absolute).
fn page_ops(page: &Page, font_ids: &[((Family, Weight), FontId)]) -> Vec<Op> {
    let font_id = |family: Family, weight: Weight| {
        font_ids
            .iter()
            .find(|(key, _)| *key == (family, weight))
            .or_else(|| {
                font_ids
                    .iter()
                    .find(|(key, _)| *key == (Family::Titillium, weight))
            })
            .map(|(_, id)| id.clone())
    };
    let mut ops = Vec::new();
    let mut fill: Option<Tone> = None;
    for item in &page.items {
        match item {
            Item::Text(run) => {
                let Some(id) = font_id(run.family, run.weight) else {
                    continue;
                };
                if fill != Some(run.tone) {
                    ops.push(Op::SetFillColor { col: ink(run.tone) });
                    fill = Some(run.tone);
                }
                ops.push(Op::StartTextSection);
                ops.push(Op::SetFont {
                    font: PdfFontHandle::External(id),
                    size: Pt(run.size),
                });
                ops.push(Op::SetTextCursor {
                    pos: Point {
                        x: Pt(run.x),
                        y: Pt(run.baseline),
                    },
                });
                ops.push(Op::ShowText {
                    items: vec![TextItem::Text(run.text.clone())],
                });
                ops.push(Op::EndTextSection);
            }
            Item::Bar(bar) => {
                let grey = |percent| {
                    Color::Greyscale(Greyscale {
                        percent,
                        icc_profile: None,
                    })
                };
                ops.push(Op::SetFillColor {
                    col: grey(match bar.shade {
                        Shade::Dark => 0.3,
                        Shade::Light => 0.85,
                    }),
                });
                fill = None;
                ops.push(Op::SetOutlineColor { col: grey(0.0) });
                ops.push(Op::SetOutlineThickness { pt: Pt(0.4) });
                ops.push(Op::DrawRectangle {
                    rectangle: Rect {
                        x: Pt(bar.x),
                        y: Pt(bar.y),
                        width: Pt(bar.width),
                        height: Pt(bar.height),
                        mode: Some(PaintMode::FillStroke),
                        winding_order: None,
                    },
                });
            }
            Item::Rule(rule) => {
                ops.push(Op::SetOutlineColor {
                    col: ink(Tone::Muted),
                });
                ops.push(Op::SetOutlineThickness {
                    pt: Pt(rule.thickness),
                });
                ops.push(Op::DrawLine {
                    line: Line {
                        points: vec![point(rule.x1, rule.y), point(rule.x2, rule.y)],
                        is_closed: false,
                    },
                });
            }
        }
    }
    ops
}

#[cfg(test)]
mod tests {
    use super::*;

    fn promemoria() -> Document {
        let mut blocks = vec![
            Block::Heading("Dati della persona".into()),
            Block::Field {
                label: "Nome e cognome".into(),
                value: "Łukasz Kowalski".into(),
            },
            Block::Field {
                label: "Accompagnato da".into(),
                value: "Ștefan Popescu".into(),
            },
            Block::Field {
                label: "Operatore".into(),
                value: "Niccolò Dell'Acqua".into(),
            },
            Block::Field {
                label: "Comune di residenza".into(),
                value: "Forlì (FC), città metropolitana: no".into(),
            },
            Block::Field {
                label: "Data dell'accesso".into(),
                value: "lunedì 3 marzo 2025, ore 9:30".into(),
            },
            Block::Heading("Che cosa è stato fatto".into()),
            Block::Paragraph(
                "La persona si è presentata allo sportello perché ha bisogno di un aiuto \
                 per la casa e per il lavoro. Abbiamo ascoltato la sua richiesta, verificato \
                 i documenti già in suo possesso e spiegato quali servizi del Comune e \
                 dell'Ambito possono esserle utili. Può tornare quando vuole: non serve \
                 l'appuntamento, ma è più veloce se porta con sé questo promemoria e un \
                 documento d'identità. Così l'operatore ritrova subito la sua pratica."
                    .into(),
            ),
            Block::Spacer,
            Block::Heading("Documenti da portare la prossima volta".into()),
        ];
        blocks.push(Block::Bullets(
            (1..=40)
                .map(|i| format!("Documento numero {i}: attestazione ISEE o ricevuta"))
                .collect(),
        ));
        blocks.push(Block::SignatureLines(vec![
            "Firma della persona".into(),
            "Firma dell'operatore".into(),
        ]));
        Document {
            pages: Default::default(),
            title: "Promemoria dell'accesso".into(),
            header_lines: vec![
                "Comune di Forlì – Segretariato Sociale".into(),
                "Piazza Saffi 8, 47121 Forlì".into(),
            ],
            blocks,
            footer: "Conservi questo promemoria. Informativa privacy: chieda all'operatore.".into(),
        }
    }

    /// Page objects in a serialized PDF: `/Type/Page` (lopdf writes no space between two
    /// names), not `/Type/Pages`.
    fn page_count(pdf: &[u8]) -> usize {
        let mut count = 0;
        for (start, _) in pdf.windows(5).enumerate().filter(|(_, w)| *w == b"/Type") {
            let rest = &pdf[start + 5..];
            let rest = &rest[rest.iter().take_while(|b| b.is_ascii_whitespace()).count()..];
            if rest.starts_with(b"/Page") && !rest.starts_with(b"/Pages") {
                count += 1;
            }
        }
        count
    }

    /// Decoded sizes of the embedded TrueType programs (`/Length1`).
    fn font_program_sizes(pdf: &[u8]) -> Vec<usize> {
        let key = b"/Length1";
        pdf.windows(key.len())
            .enumerate()
            .filter(|(_, w)| *w == key)
            .filter_map(|(start, _)| {
                let digits: String = pdf[start + key.len()..]
                    .iter()
                    .skip_while(|b| b.is_ascii_whitespace())
                    .take_while(|b| b.is_ascii_digit())
                    .map(|b| char::from(*b))
                    .collect();
                digits.parse().ok()
            })
            .collect()
    }

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }

    #[test]
    fn the_promemoria_is_a_two_page_pdf_with_subset_fonts() {
        let (bytes, warnings) = render_with_warnings(&promemoria()).expect("PDF");
        assert!(bytes.starts_with(b"%PDF-"));
        assert_eq!(page_count(&bytes), 2);
        let errors: Vec<_> = warnings
            .iter()
            .filter(|w| w.severity == PdfParseErrorSeverity::Error)
            .collect();
        assert!(errors.is_empty(), "{errors:?}");
        assert!(contains(&bytes, b"/ToUnicode"));
        // Titillium regular and bold only: nothing needed the fallback.
        let programs = font_program_sizes(&bytes);
        assert_eq!(programs.len(), 2, "{programs:?}");
        // The full Titillium files are about 50 kB each: these must be subsets.
        assert!(programs.iter().all(|size| *size < 35_000), "{programs:?}");
        assert!(bytes.len() < 60_000, "{} bytes", bytes.len());
    }

    #[test]
    fn layout_numbers_the_pages() {
        let (fonts, prepared) = prepare(&promemoria()).expect("fonts");
        let pages = layout::layout(&prepared, &fonts);
        assert_eq!(pages.len(), 2);
        for (index, label) in ["Pagina 1 di 2", "Pagina 2 di 2"].iter().enumerate() {
            assert!(pages[index]
                .items
                .iter()
                .any(|item| matches!(item, Item::Text(run) if run.text == *label)));
        }
        // Every run of this document is in Titillium.
        assert!(pages
            .iter()
            .flat_map(|p| &p.items)
            .all(|item| !matches!(item, Item::Text(run) if run.family == Family::DejaVu)));
    }

    #[test]
    fn names_titillium_cannot_draw_use_dejavu() {
        let doc = Document {
            pages: Default::default(),
            title: "Promemoria dell'accesso".into(),
            header_lines: vec![],
            blocks: vec![
                Block::Field {
                    label: "Nome e cognome".into(),
                    value: "Олена Шевченко".into(),
                },
                Block::Paragraph("Accompagnata dalla figlia Ελένη, residente a Forlì.".into()),
            ],
            footer: String::new(),
        };
        let (fonts, prepared) = prepare(&doc).expect("fonts");
        let pages = layout::layout(&prepared, &fonts);
        let runs: Vec<_> = pages
            .iter()
            .flat_map(|p| &p.items)
            .filter_map(|item| match item {
                Item::Text(run) => Some(run),
                Item::Rule(_) | Item::Bar(_) => None,
            })
            .collect();
        assert!(runs
            .iter()
            .any(|r| r.family == Family::DejaVu && r.text == "Олена Шевченко"));
        assert!(runs
            .iter()
            .any(|r| r.family == Family::DejaVu && r.text.starts_with("Ελένη")));
        assert!(runs
            .iter()
            .any(|r| r.family == Family::Titillium && r.text.contains("Forlì")));

        let bytes = render(&doc).expect("PDF");
        assert_eq!(page_count(&bytes), 1);
        // Titillium regular and bold plus DejaVu regular (nothing bold needed it).
        assert_eq!(font_program_sizes(&bytes).len(), 3);
        // DejaVu Sans is 740 kB in full.
        assert!(bytes.len() < 80_000, "{} bytes", bytes.len());
    }

    #[test]
    fn an_empty_document_is_one_numbered_page() {
        let doc = Document {
            pages: Default::default(),
            title: String::new(),
            header_lines: vec![],
            blocks: vec![],
            footer: String::new(),
        };
        let bytes = render(&doc).expect("PDF");
        assert_eq!(page_count(&bytes), 1);
    }

    #[test]
    fn pdftotext_reads_back_names_and_accents() {
        let mut doc = promemoria();
        doc.blocks.push(Block::Field {
            label: "Familiare".into(),
            value: "Олена Шевченко".into(),
        });
        let bytes = render(&doc).expect("PDF");
        let dir = tempfile::tempdir().expect("temporary directory");
        let path = dir.path().join("promemoria.pdf");
        std::fs::write(&path, bytes).expect("write PDF");
        let output = match std::process::Command::new("pdftotext")
            .args(["-enc", "UTF-8"])
            .arg(path)
            .arg("-")
            .output()
        {
            Ok(output) => output,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                eprintln!("pdftotext non installato (pacchetto poppler-utils): verifica del testo saltata");
                return;
            }
            Err(e) => panic!("pdftotext: {e}"),
        };
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        // Lines may wrap anywhere and columns may come out in either order: compare words.
        let text = String::from_utf8_lossy(&output.stdout)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        for expected in [
            "Promemoria dell'accesso",
            "Łukasz Kowalski",
            "Ștefan Popescu",
            "Niccolò Dell'Acqua",
            "Олена Шевченко",
            "Forlì (FC), città",
            "lunedì 3 marzo 2025",
            "perché",
            "Può tornare",
            "è più veloce",
            "Così",
            "Pagina 1 di 2",
            "Pagina 2 di 2",
        ] {
            assert!(
                text.contains(expected),
                "{expected:?} missing from:\n{text}"
            );
        }
    }
}
