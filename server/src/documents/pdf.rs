//! Letters to families as PDF/A-2b, the archive's long-term format: receipts of e-service
//! submissions and decision letters, typeset by Typst from the templates in `templates/`.
//!
//! Data reaches a template only through `sys.inputs` (strings and arrays of strings), never
//! by pasting it into Typst source, so a guardian's free text such as `#panic() *fet* $x$`
//! is printed as written. The fonts (Liberation Sans, OFL-1.1, `server/fonts/`) are compiled
//! into the binary and embedded (subset) in every PDF.
//!
//! Rendering is CPU-bound (a few milliseconds a letter in release builds): call the
//! renderers from async code through `tokio::task::spawn_blocking`.

use std::path::PathBuf;
use std::sync::LazyLock;

use anyhow::{Context, anyhow};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Europe::Stockholm;
use serde_json::json;
use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Dict, Duration, Smart};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards};

use crate::clock;

/// Who sends the letters: the municipality's profile as the letterhead and the footer show it.
#[derive(Debug, Clone, Default)]
pub struct Sender {
    pub name: String,
    /// E.g. `212000-2262`.
    pub organisation_number: Option<String>,
    /// One line, e.g. `Box 100, 123 45 Norrfjärden`.
    pub address: Option<String>,
    /// Where the registry receives mail, e.g. `registrator@norrfjarden.se`.
    pub registry_email: Option<String>,
    pub logo: Option<Logo>,
}

/// The municipality's logo for the letterhead, checked when the configuration is read.
#[derive(Clone)]
pub struct Logo {
    pub bytes: std::sync::Arc<[u8]>,
    pub format: LogoFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogoFormat {
    Png,
    Svg,
}

impl Logo {
    /// A PNG or SVG file's bytes as a logo, or why they are not one.
    pub fn from_bytes(bytes: Vec<u8>) -> anyhow::Result<Logo> {
        const MAX_BYTES: usize = 1024 * 1024;
        anyhow::ensure!(bytes.len() <= MAX_BYTES, "a logo is at most 1 MB");
        let format = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            LogoFormat::Png
        } else if std::str::from_utf8(&bytes).is_ok_and(|text| text.contains("<svg")) {
            LogoFormat::Svg
        } else {
            anyhow::bail!("a logo is a PNG or an SVG file");
        };
        Ok(Logo {
            bytes: bytes.into(),
            format,
        })
    }

    /// Its path in the letter's virtual file system.
    fn path(&self) -> &'static str {
        match self.format {
            LogoFormat::Png => "logo.png",
            LogoFormat::Svg => "logo.svg",
        }
    }
}

impl std::fmt::Debug for Logo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Logo({:?}, {} bytes)", self.format, self.bytes.len())
    }
}

/// What heads every letter.
#[derive(Debug, Clone)]
pub struct LetterHeader {
    pub sender: Sender,
    /// E.g. `2026/00123`.
    pub case_number: String,
    /// The letter's date; also the PDF's creation date.
    pub date: NaiveDate,
    pub recipient_name: Option<String>,
}

/// A decision letter's content; the free-text fields may hold any characters.
#[derive(Debug, Clone)]
pub struct DecisionLetter {
    pub header: LetterHeader,
    /// E.g. "Beslut om ledighet för Elsa Lind"; the heading and the PDF title.
    pub subject: String,
    /// E.g. "Ansökan beviljas."
    pub outcome_text: String,
    /// First and last day, both inclusive.
    pub period: Option<(NaiveDate, NaiveDate)>,
    pub legal_basis: String,
    /// Paragraphs are separated by blank lines.
    pub motivation: String,
    pub decided_by: String,
    pub decided_by_title: String,
    /// Paragraphs are separated by blank lines.
    pub appeal_information: String,
}

/// An extract of the access log for one person: who read what when, as rows of three texts.
#[derive(Debug, Clone)]
pub struct AccessLogExtract {
    pub sender: Sender,
    pub date: NaiveDate,
    pub person: String,
    /// Time, reader, what was read.
    pub entries: Vec<[String; 3]>,
}

/// Renders an access-log extract (GDPR art. 15) as PDF/A-2b. CPU-bound, like the letters.
pub fn render_access_log(extract: &AccessLogExtract) -> anyhow::Result<Vec<u8>> {
    let title = "Utdrag ur loggen över åtkomst";
    let mut inputs = sender_inputs(&extract.sender);
    inputs.extend([
        ("date", json!(extract.date.to_string())),
        ("year", json!(extract.date.year())),
        ("month", json!(extract.date.month())),
        ("day", json!(extract.date.day())),
        ("recipient", json!(extract.person)),
        ("doc-title", json!(format!("{title}: {}", extract.person))),
        ("title", json!(title)),
        ("person", json!(extract.person)),
        ("entries", json!(extract.entries)),
    ]);
    render(Template::AccessLog, inputs, extract.sender.logo.as_ref())
}

/// Renders the receipt of an e-service submission: `title` as its heading (e.g. "Kvitto:
/// ansökan om ledighet"), case number, when it was submitted (Swedish time), and the submitted
/// fields as a two-column table of label and value. The PDF title is "`title` (case number)".
///
/// CPU-bound: run it in `tokio::task::spawn_blocking`.
pub fn render_receipt(
    header: &LetterHeader,
    title: &str,
    submitted_at: DateTime<Utc>,
    fields: &[(String, String)],
) -> anyhow::Result<Vec<u8>> {
    render(
        Template::Receipt,
        receipt_inputs(header, title, submitted_at, fields),
        header.sender.logo.as_ref(),
    )
}

/// Renders a decision letter: heading, case number, date, recipient, the decision and its
/// period, legal basis, motivation (justified, hyphenated in Swedish), who decided, and how
/// to appeal.
///
/// CPU-bound: run it in `tokio::task::spawn_blocking`.
pub fn render_decision_letter(letter: &DecisionLetter) -> anyhow::Result<Vec<u8>> {
    render(
        Template::DecisionLetter,
        decision_inputs(letter),
        letter.header.sender.logo.as_ref(),
    )
}

type Inputs = Vec<(&'static str, serde_json::Value)>;

fn receipt_inputs(
    header: &LetterHeader,
    title: &str,
    submitted_at: DateTime<Utc>,
    fields: &[(String, String)],
) -> Inputs {
    let mut inputs = header_inputs(header);
    inputs.extend([
        (
            "doc-title",
            json!(format!("{title} ({})", header.case_number)),
        ),
        ("title", json!(title)),
        (
            "submitted-at",
            json!(
                submitted_at
                    .with_timezone(&Stockholm)
                    .format("%Y-%m-%d kl. %H:%M")
                    .to_string()
            ),
        ),
        (
            "fields",
            json!(
                fields
                    .iter()
                    .map(|(label, value)| [label, value])
                    .collect::<Vec<_>>()
            ),
        ),
    ]);
    inputs
}

fn decision_inputs(letter: &DecisionLetter) -> Inputs {
    let mut inputs = header_inputs(&letter.header);
    inputs.extend([
        ("doc-title", json!(letter.subject)),
        ("subject", json!(letter.subject)),
        ("outcome", json!(letter.outcome_text)),
        (
            "period",
            json!(
                letter
                    .period
                    .map(|(first, last)| format!("{first} – {last}"))
            ),
        ),
        ("legal-basis", json!(letter.legal_basis)),
        ("motivation", json!(paragraphs(&letter.motivation))),
        ("decided-by", json!(letter.decided_by)),
        ("decided-by-title", json!(letter.decided_by_title)),
        ("appeal", json!(paragraphs(&letter.appeal_information))),
    ]);
    inputs
}

/// The sender's name, the details under it in the footer, and the logo's path if there is one.
fn sender_inputs(sender: &Sender) -> Inputs {
    let details: Vec<String> = [
        sender
            .organisation_number
            .as_ref()
            .map(|number| format!("Org.nr {number}")),
        sender.address.clone(),
        sender.registry_email.clone(),
    ]
    .into_iter()
    .flatten()
    .collect();
    vec![
        ("municipality", json!(sender.name)),
        ("sender-details", json!(details)),
        (
            "logo",
            json!(sender.logo.as_ref().map(|logo| format!("/{}", logo.path()))),
        ),
    ]
}

fn header_inputs(header: &LetterHeader) -> Inputs {
    let mut inputs = sender_inputs(&header.sender);
    inputs.extend([
        ("case-number", json!(header.case_number)),
        ("date", json!(header.date.to_string())),
        ("year", json!(header.date.year())),
        ("month", json!(header.date.month())),
        ("day", json!(header.date.day())),
        ("recipient", json!(header.recipient_name)),
    ]);
    inputs
}

/// Splits free text into paragraphs at blank lines; a single line break stays a line break.
fn paragraphs(text: &str) -> Vec<String> {
    let mut paragraphs = Vec::new();
    let mut lines: Vec<&str> = Vec::new();
    for line in text.lines().map(str::trim_end).chain([""]) {
        if !line.trim().is_empty() {
            lines.push(line);
        } else if !lines.is_empty() {
            paragraphs.push(lines.join("\n"));
            lines.clear();
        }
    }
    paragraphs
}

#[derive(Clone, Copy)]
enum Template {
    Receipt,
    DecisionLetter,
    AccessLog,
}

impl Template {
    fn path(self) -> &'static str {
        match self {
            Template::Receipt => "receipt.typ",
            Template::DecisionLetter => "decision_letter.typ",
            Template::AccessLog => "access_log.typ",
        }
    }
}

/// The templates, by their path in Typst's virtual file system.
const TEMPLATES: [(&str, &str); 4] = [
    ("letter.typ", include_str!("templates/letter.typ")),
    ("receipt.typ", include_str!("templates/receipt.typ")),
    (
        "decision_letter.typ",
        include_str!("templates/decision_letter.typ"),
    ),
    ("access_log.typ", include_str!("templates/access_log.typ")),
];

const FONTS: [&[u8]; 2] = [
    include_bytes!("../../fonts/LiberationSans-Regular.ttf"),
    include_bytes!("../../fonts/LiberationSans-Bold.ttf"),
];

/// Everything that is the same for every render, parsed once per process.
struct Assets {
    fonts: Vec<Font>,
    book: LazyHash<FontBook>,
    sources: Vec<Source>,
    standards: PdfStandards,
}

static ASSETS: LazyLock<Assets> = LazyLock::new(|| {
    let fonts: Vec<Font> = FONTS
        .iter()
        .flat_map(|data| Font::iter(Bytes::new(*data)))
        .collect();
    assert_eq!(fonts.len(), FONTS.len(), "a bundled font did not load");
    let book = LazyHash::new(FontBook::from_fonts(&fonts));
    let sources = TEMPLATES
        .iter()
        .map(|(path, text)| Source::new(file_id(path), (*text).to_owned()))
        .collect();
    let standards =
        PdfStandards::new(&[PdfStandard::A_2b]).expect("PDF/A-2b is a valid standard set");
    Assets {
        fonts,
        book,
        sources,
        standards,
    }
});

fn file_id(path: &str) -> FileId {
    let vpath = VirtualPath::new(path).expect("template paths are valid");
    RootedPath::new(VirtualRoot::Project, vpath).intern()
}

/// One render's world: the shared assets plus this letter's inputs and the municipality's
/// logo. It has no other files, no packages and no access to the disk.
struct LetterWorld {
    assets: &'static Assets,
    library: LazyHash<Library>,
    main: FileId,
    logo: Option<Logo>,
}

impl World for LetterWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.assets.book
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        self.assets
            .sources
            .iter()
            .find(|source| source.id() == id)
            .cloned()
            .ok_or_else(|| FileError::NotFound(PathBuf::from(id.vpath().get_with_slash())))
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if let Some(logo) = &self.logo
            && id == file_id(logo.path())
        {
            return Ok(Bytes::new(logo.bytes.clone()));
        }
        self.source(id)
            .map(|source| Bytes::from_string(source.text().to_owned()))
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.assets.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        let today = clock::today();
        Datetime::from_ymd(
            today.year(),
            u8::try_from(today.month()).ok()?,
            u8::try_from(today.day()).ok()?,
        )
    }
}

fn render(template: Template, inputs: Inputs, logo: Option<&Logo>) -> anyhow::Result<Vec<u8>> {
    let (pdf, warnings) = render_with_warnings(template, inputs, logo)?;
    for warning in warnings {
        tracing::warn!(
            template = template.path(),
            "PDF template: {}",
            warning.message
        );
    }
    Ok(pdf)
}

/// `text` with every character the bundled fonts cannot draw replaced by one they can
/// (PDF/A forbids a missing glyph, so an emoji would fail the whole letter): a replacement
/// mark, and control characters other than line breaks as spaces.
fn printable(text: &str) -> String {
    let covered = |c: char| {
        ASSETS
            .fonts
            .iter()
            .any(|f| f.info().coverage.contains(c as u32))
    };
    let replacement = ['\u{FFFD}', '?']
        .into_iter()
        .find(|c| covered(*c))
        .unwrap_or(' ');
    text.chars()
        .map(|c| match c {
            '\n' => c,
            c if c.is_control() || c.is_whitespace() => ' ',
            c if covered(c) => c,
            _ => replacement,
        })
        .collect()
}

/// Every string in `value` made [`printable`].
fn printable_value(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::String(text) => Value::String(printable(&text)),
        Value::Array(items) => Value::Array(items.into_iter().map(printable_value).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(key, value)| (key, printable_value(value)))
                .collect(),
        ),
        other => other,
    }
}

fn render_with_warnings(
    template: Template,
    inputs: Inputs,
    logo: Option<&Logo>,
) -> anyhow::Result<(Vec<u8>, Vec<SourceDiagnostic>)> {
    let inputs: Dict = serde_json::from_value(serde_json::Value::Object(
        inputs
            .into_iter()
            .map(|(key, value)| (key.to_owned(), printable_value(value)))
            .collect(),
    ))
    .context("cannot pass the letter's data to Typst")?;
    let world = LetterWorld {
        assets: &ASSETS,
        library: LazyHash::new(Library::builder().with_inputs(inputs).build()),
        main: file_id(template.path()),
        logo: logo.cloned(),
    };

    let compiled = typst::compile::<PagedDocument>(&world);
    let document = compiled
        .output
        .map_err(|errors| anyhow!("cannot typeset {}: {}", template.path(), messages(&errors)))?;
    let options = PdfOptions {
        creator: Smart::Custom(Some("Skolflyt".to_owned())),
        standards: ASSETS.standards.clone(),
        ..PdfOptions::default()
    };
    let pdf = typst_pdf::pdf(&document, &options).map_err(|errors| {
        anyhow!(
            "cannot export {} as PDF/A-2b: {}",
            template.path(),
            messages(&errors)
        )
    })?;
    // Typst memoizes across compilations; drop what the last few renders did not reuse,
    // so the cache does not grow with every letter.
    typst::comemo::evict(10);
    Ok((pdf, compiled.warnings.into_iter().collect()))
}

fn messages(diagnostics: &[SourceDiagnostic]) -> String {
    diagnostics
        .iter()
        .map(|diagnostic| diagnostic.message.as_str())
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use std::process::Command;
    use std::time::Instant;

    use chrono::TimeZone;

    use super::*;

    /// Everything Typst markup gives meaning to; `#panic` fails the render if evaluated.
    const MARKUP: &str = r#"#panic("evaluated") *fet* _kursiv_ $x^2$ [a] \ <etikett> @ref `kod` ~ // ingen kommentar"#;

    fn header() -> LetterHeader {
        LetterHeader {
            sender: Sender {
                name: "Sundsvalls kommun".to_owned(),
                organisation_number: Some("212000-2411".to_owned()),
                address: Some("Box 100, 851 85 Sundsvall".to_owned()),
                registry_email: Some("registrator@sundsvall.example".to_owned()),
                logo: None,
            },
            case_number: "2026/00123".to_owned(),
            date: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
            recipient_name: Some("Anna Lind".to_owned()),
        }
    }

    fn decision_letter() -> DecisionLetter {
        DecisionLetter {
            header: header(),
            subject: "Beslut om ledighet för Elsa Lind".to_owned(),
            outcome_text: "Ansökan beviljas.".to_owned(),
            period: Some((
                NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
                NaiveDate::from_ymd_opt(2026, 11, 27).unwrap(),
            )),
            legal_basis: "7 kap. 18 § skollagen (2010:800)".to_owned(),
            motivation: "Vårdnadshavaren har ansökt om ledighet för en familjeresa under fem \
                skoldagar. Elevens närvaro har varit god under terminen och mentorn bedömer att \
                eleven kan ta igen det arbete som missas under ledigheten.\n\n\
                Rektor har vid en samlad bedömning funnit att det finns synnerliga skäl, och \
                ledigheten kan därför beviljas med stöd av skollagens bestämmelser om \
                ledighet för enskilda angelägenheter."
                .to_owned(),
            decided_by: "Karin Berg".to_owned(),
            decided_by_title: "Rektor, Nackstaskolan".to_owned(),
            appeal_information: "Beslutet kan inte överklagas. Om du är missnöjd med \
                handläggningen kan du vända dig till Skolinspektionen."
                .to_owned(),
        }
    }

    fn receipt_fields() -> Vec<(String, String)> {
        [
            ("Elev", "Elsa Lind"),
            ("Första dag", "2026-11-23"),
            ("Sista dag", "2026-11-27"),
            ("Skäl", "Familjeresa till mormor i Luleå."),
        ]
        .into_iter()
        .map(|(label, value)| (label.to_owned(), value.to_owned()))
        .collect()
    }

    fn submitted_at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 20, 13, 5, 0).unwrap()
    }

    fn contains(haystack: &[u8], needle: &str) -> bool {
        haystack
            .windows(needle.len())
            .any(|window| window == needle.as_bytes())
    }

    fn xml_escaped(text: &str) -> String {
        text.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    }

    fn assert_pdf_a_2b(pdf: &[u8]) {
        assert!(pdf.starts_with(b"%PDF-"), "not a PDF");
        assert!(
            contains(pdf, "<pdfaid:part>2</pdfaid:part>") || contains(pdf, "pdfaid:part=\"2\""),
            "no XMP pdfaid:part 2"
        );
        assert!(
            contains(pdf, "<pdfaid:conformance>B</pdfaid:conformance>")
                || contains(pdf, "pdfaid:conformance=\"B\""),
            "no XMP pdfaid:conformance B"
        );
        assert!(contains(pdf, "/FontFile2"), "fonts are not embedded");
        assert!(contains(pdf, "LiberationSans"), "not the bundled font");
        qpdf_check(pdf);
    }

    fn write_temp(pdf: &[u8]) -> tempfile::NamedTempFile {
        let file = tempfile::Builder::new().suffix(".pdf").tempfile().unwrap();
        std::fs::write(file.path(), pdf).unwrap();
        file
    }

    /// `qpdf --check` where qpdf is installed (`apt-get install -y qpdf`).
    fn qpdf_check(pdf: &[u8]) {
        let file = write_temp(pdf);
        match Command::new("qpdf")
            .arg("--check")
            .arg(file.path())
            .output()
        {
            Ok(output) => assert!(
                output.status.success(),
                "qpdf --check failed: {}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            ),
            Err(_) => println!("note: qpdf is not installed; skipped qpdf --check"),
        }
    }

    /// The text as a reader gets it, whitespace collapsed, where pdftotext is installed
    /// (`apt-get install -y poppler-utils`); `None` elsewhere.
    fn extracted_text(pdf: &[u8]) -> Option<String> {
        let file = write_temp(pdf);
        let output = Command::new("pdftotext")
            .args(["-enc", "UTF-8"])
            .arg(file.path())
            .arg("-")
            .output();
        match output {
            Ok(output) if output.status.success() => Some(
                String::from_utf8(output.stdout)
                    .unwrap()
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            _ => {
                println!("note: pdftotext is not installed; skipped the text checks");
                None
            }
        }
    }

    #[test]
    fn a_decision_letter_is_pdf_a_2b_with_embedded_fonts_and_no_warnings() {
        let (pdf, warnings) = render_with_warnings(
            Template::DecisionLetter,
            decision_inputs(&decision_letter()),
            None,
        )
        .unwrap();

        assert!(warnings.is_empty(), "{}", messages(&warnings));
        assert_pdf_a_2b(&pdf);
        assert!(
            contains(&pdf, "Beslut om ledighet för Elsa Lind"),
            "no title"
        );
        assert!(contains(&pdf, "/Lang(sv-SE)"), "not in Swedish");
        if let Some(text) = extracted_text(&pdf) {
            for expected in [
                "Sundsvalls kommun",
                "Diarienummer 2026/00123",
                "Datum 2026-11-20",
                "Till Anna Lind",
                "Beslut om ledighet för Elsa Lind",
                "Ansökan beviljas.",
                "Beslutet gäller perioden 2026-11-23 – 2026-11-27.",
                "7 kap. 18 § skollagen (2010:800)",
                "Karin Berg Rektor, Nackstaskolan",
                "Hur man överklagar",
                "Sida 1 av 1",
                "Org.nr 212000-2411",
                "Box 100, 851 85 Sundsvall",
                "registrator@sundsvall.example",
            ] {
                assert!(text.contains(expected), "{expected:?} not in {text}");
            }
        }
    }

    #[test]
    fn a_receipt_is_pdf_a_2b_with_the_fields_in_a_table() {
        let (pdf, warnings) = render_with_warnings(
            Template::Receipt,
            receipt_inputs(
                &header(),
                "Kvitto: ansökan om ledighet",
                submitted_at(),
                &receipt_fields(),
            ),
            None,
        )
        .unwrap();

        assert!(warnings.is_empty(), "{}", messages(&warnings));
        assert_pdf_a_2b(&pdf);
        assert!(contains(&pdf, "Kvitto: ansökan om ledighet (2026/00123)"));
        if let Some(text) = extracted_text(&pdf) {
            for expected in [
                "Kvitto: ansökan om ledighet",
                "Diarienummer 2026/00123",
                // 13:05 UTC is 14:05 in Stockholm in November.
                "Inkommen 2026-11-20 kl. 14:05",
                "Uppgift Värde",
                "Elev Elsa Lind",
                "Skäl Familjeresa till mormor i Luleå.",
            ] {
                assert!(text.contains(expected), "{expected:?} not in {text}");
            }
        }
    }

    #[test]
    fn markup_in_free_text_comes_out_literally() {
        let mut letter = decision_letter();
        letter.subject = format!("Beslut {MARKUP}");
        letter.outcome_text = MARKUP.to_owned();
        letter.legal_basis = MARKUP.to_owned();
        letter.motivation = format!("{MARKUP}\n\n{MARKUP}");
        letter.decided_by = MARKUP.to_owned();
        letter.header.recipient_name = Some(MARKUP.to_owned());
        letter.header.sender.name = MARKUP.to_owned();
        letter.header.sender.address = Some(MARKUP.to_owned());

        let pdf = render_decision_letter(&letter).unwrap();

        assert_pdf_a_2b(&pdf);
        assert!(
            contains(&pdf, &xml_escaped(&letter.subject)),
            "the title is not literal"
        );
        if let Some(text) = extracted_text(&pdf) {
            let literal = MARKUP.split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(text.contains(&literal), "{literal:?} not in {text}");
        }

        let fields = vec![(MARKUP.to_owned(), MARKUP.to_owned())];
        let receipt = render_receipt(&header(), MARKUP, submitted_at(), &fields).unwrap();
        assert!(contains(&receipt, &xml_escaped(MARKUP)));
    }

    /// A 1×1 PNG with an alpha channel, the hardest case for PDF/A (a soft mask).
    const PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

    #[test]
    fn a_letter_with_the_municipality_logo_is_still_pdf_a_2b() {
        use base64::Engine;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(PNG)
            .unwrap();
        let mut letter = decision_letter();
        letter.header.sender.logo = Some(Logo::from_bytes(bytes).unwrap());
        let (pdf, warnings) = render_with_warnings(
            Template::DecisionLetter,
            decision_inputs(&letter),
            letter.header.sender.logo.as_ref(),
        )
        .unwrap();
        assert!(warnings.is_empty(), "{}", messages(&warnings));
        assert_pdf_a_2b(&pdf);
        assert!(contains(&pdf, "/Subtype /Image") || contains(&pdf, "/Subtype/Image"));

        let svg = b"<svg xmlns='http://www.w3.org/2000/svg' width='40' height='20'><rect width='40' height='20' fill='#036'/></svg>".to_vec();
        assert_eq!(Logo::from_bytes(svg).unwrap().format, LogoFormat::Svg);
        assert!(Logo::from_bytes(b"GIF89a".to_vec()).is_err());
        assert!(Logo::from_bytes(vec![0; 2 * 1024 * 1024]).is_err());
    }

    #[test]
    fn a_long_receipt_runs_over_several_pages() {
        let fields: Vec<(String, String)> = (1..=80)
            .map(|n| {
                (
                    format!("Fråga {n}"),
                    format!("Svar nummer {n}, ").repeat(n % 7 + 1),
                )
            })
            .collect();

        let pdf = render_receipt(&header(), "Kvitto: skolval", submitted_at(), &fields).unwrap();

        assert_pdf_a_2b(&pdf);
        if let Some(text) = extracted_text(&pdf) {
            assert!(text.contains("Sida 1 av "), "{text}");
            assert!(!text.contains("Sida 1 av 1 "), "{text}");
            assert!(text.contains("Fråga 80"));
        }
    }

    #[test]
    fn any_character_a_person_may_type_renders() {
        let fields = vec![
            (
                "Skäl".to_owned(),
                "resa 😀 med 🇸🇪, ∮ ≠ ☃ 漢字 \u{0} \u{202e}x \u{1F9D1}\u{200D}\u{1F3EB}".to_owned(),
            ),
            ("Bilaga".to_owned(), "intyg\u{7}.pdf".to_owned()),
        ];
        let pdf = render_receipt(&header(), "Ansökan om ledighet", submitted_at(), &fields)
            .expect("the receipt renders");
        assert_pdf_a_2b(&pdf);
        assert_eq!(printable("å ä ö é ü"), "å ä ö é ü");
        assert!(!printable("a😀b").contains('😀'));
    }

    #[test]
    fn an_access_log_extract_is_pdf_a_2b_with_every_entry() {
        let extract = AccessLogExtract {
            sender: Sender {
                name: "Norrfjärdens kommun".to_owned(),
                ..Sender::default()
            },
            date: NaiveDate::from_ymd_opt(2026, 12, 3).unwrap(),
            person: "Elsa Lind".to_owned(),
            entries: (0..80)
                .map(|n| {
                    [
                        format!("2026-11-{:02} 08:15", n % 28 + 1),
                        format!("Läsare {n}"),
                        "läste ärendet".to_owned(),
                    ]
                })
                .collect(),
        };
        let pdf = render_access_log(&extract).expect("the extract renders");
        assert_pdf_a_2b(&pdf);
        if let Some(text) = extracted_text(&pdf) {
            assert!(text.contains("Läsare 79"), "{text}");
            assert!(!text.contains("Diarienummer"));
        }
    }

    #[test]
    fn an_empty_letter_still_renders() {
        let mut letter = decision_letter();
        letter.header.recipient_name = None;
        letter.period = None;
        letter.motivation = String::new();
        letter.appeal_information = "\n\n".to_owned();
        render_decision_letter(&letter).unwrap();
        render_receipt(&header(), "Kvitto", submitted_at(), &[]).unwrap();
    }

    #[test]
    fn the_same_letter_renders_to_the_same_bytes() {
        let letter = decision_letter();
        assert!(
            render_decision_letter(&letter).unwrap() == render_decision_letter(&letter).unwrap()
        );
    }

    #[test]
    fn letters_render_on_several_threads_at_once() {
        let threads: Vec<_> = (0..4)
            .map(|n| {
                std::thread::spawn(move || {
                    let mut letter = decision_letter();
                    letter.subject = format!("Beslut nummer {n}");
                    let pdf = render_decision_letter(&letter).unwrap();
                    assert!(contains(&pdf, &letter.subject));
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
    }

    #[test]
    fn free_text_splits_into_paragraphs_at_blank_lines() {
        assert_eq!(
            paragraphs("Ett\r\ntvå\r\n\r\n  \n\nTre.\n"),
            vec!["Ett\ntvå".to_owned(), "Tre.".to_owned()]
        );
        assert!(paragraphs(" \n\n").is_empty());
    }

    /// The figure to report: `cargo test --release -p skolflyt documents -- --nocapture`.
    #[test]
    fn rendering_time_per_decision_letter() {
        let letter = decision_letter();
        render_decision_letter(&letter).unwrap();
        let renders = 20;
        let start = Instant::now();
        for n in 0..renders {
            let mut letter = letter.clone();
            letter.header.case_number = format!("2026/{n:05}");
            render_decision_letter(&letter).unwrap();
        }
        let per_letter = start.elapsed().as_secs_f64() * 1000.0 / f64::from(renders);
        println!("decision letter: {per_letter:.1} ms per render (average of {renders})");
    }
}
