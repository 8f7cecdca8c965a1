// Package printout lays out a receipt (발급증, R9) as a one-page A4 PDF in
// Korean, like the paper receipt: the title, the receipt's fields in a ruled
// table, the note that the receipt has no legal effect by itself and that the
// institution verifies online, and a QR code carrying the issue number and
// the verification address. The bundled Korean font is embedded (subset), so
// the page looks the same on every computer and its text can be copied and
// searched.
//
// The PDF shows the receipt as it is given; showing only verified receipts is
// the caller's job (the wallet verifies them).
package printout

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"
	"github.com/skip2/go-qrcode"

	"github.com/bonsign/bonsign/api"
	"github.com/bonsign/bonsign/assets"
)

// DefaultVerifyAddress is the verification address printed and put in the QR
// code when Options.VerifyAddress is empty: a bonsign URI naming the issue
// number, which an institution's system or the bonsign app can read. A
// deployment with a web verification page sets Options.VerifyAddress to it,
// e.g. "https://bonsign.example.kr/verify?no={no}".
const DefaultVerifyAddress = "bonsign:verify?no={no}"

// NumberPlaceholder is replaced by the issue number in a verification address.
const NumberPlaceholder = "{no}"

// Options adjust the printout.
type Options struct {
	// VerifyAddress is the verification address, with NumberPlaceholder where
	// the issue number goes; without a placeholder the number is added as a
	// "no" query parameter. Empty means DefaultVerifyAddress.
	VerifyAddress string
	// PrintedAt is the time printed in the footer and recorded as the PDF's
	// creation date. Zero means now.
	PrintedAt time.Time
}

// VerifyAddress is the verification address for issueNumber: template with
// the number in place of NumberPlaceholder, or added as a "no" parameter.
func VerifyAddress(template, issueNumber string) string {
	if template == "" {
		template = DefaultVerifyAddress
	}
	if strings.Contains(template, NumberPlaceholder) {
		return strings.ReplaceAll(template, NumberPlaceholder, issueNumber)
	}
	sep := "?"
	if strings.Contains(template, "?") {
		sep = "&"
	}
	return template + sep + "no=" + issueNumber
}

// Labels of the receipt's fields, as on the paper receipt.
const (
	Title            = "전자본인서명확인서 발급증"
	LabelIssueNumber = "발급번호"
	LabelIssuedAt    = "발급일시"
	LabelName        = "성명"
	LabelRRN         = "주민등록번호"
	LabelPurpose     = "용도"
	LabelInstitution = "제출기관"
	LabelDelegate    = "위임받은 사람"
	None             = "없음"
)

// Notes printed under the table.
var Notes = []string{
	"이 발급증은 전자본인서명확인서가 발급되었음을 알려 줄 뿐이며, 그 자체로는 법적 효력이 없습니다.",
	"제출기관은 발급번호와 성명으로 전자본인서명확인서 발급시스템에서 확인서를 온라인으로 확인한 뒤에 업무를 처리합니다.",
	"전자본인서명확인서는 적힌 용도로만 사용할 수 있습니다.",
}

// Page geometry, in millimetres (A4 portrait).
const (
	pageW, pageH = 210.0, 297.0
	margin       = 20.0
	contentW     = pageW - 2*margin
	labelW       = 42.0
	rowMinH      = 11.0
	qrSize       = 34.0
	fontFamily   = "BonsignGothic"
)

// Colours (RGB).
var (
	ink      = [3]int{17, 24, 39}
	muted    = [3]int{90, 98, 110}
	rule     = [3]int{60, 64, 72}
	labelBg  = [3]int{238, 241, 245}
	noteBg   = [3]int{248, 249, 251}
	accentBg = [3]int{0, 84, 166}
)

// PDF lays out r on one A4 page.
func PDF(r api.Receipt, opt Options) ([]byte, error) {
	if r.IssueNumber == "" {
		return nil, errors.New("printout: the receipt has no issue number")
	}
	printed := opt.PrintedAt
	if printed.IsZero() {
		printed = time.Now()
	}
	address := VerifyAddress(opt.VerifyAddress, r.IssueNumber)
	qr, err := qrcode.New(address, qrcode.Medium)
	if err != nil {
		return nil, fmt.Errorf("printout: qr code: %w", err)
	}

	f := fpdf.New("P", "mm", "A4", "")
	f.SetCompression(true)
	f.SetCreationDate(printed)
	f.SetModificationDate(printed)
	f.SetTitle(Title+" "+r.IssueNumber, true)
	f.SetSubject("전자본인서명확인서 발급증 (receipt of an electronic personal-signature confirmation)", true)
	f.SetAuthor("전자본인서명확인서 발급시스템", true)
	f.SetCreator("bonsign", true)
	f.SetLang("ko-KR")
	f.AddUTF8FontFromBytes(fontFamily, "", assets.FontRegular)
	f.AddUTF8FontFromBytes(fontFamily, "B", assets.FontBold)
	f.SetMargins(margin, margin, margin)
	f.SetAutoPageBreak(false, margin)
	f.AddPage()
	p := &page{f: f}

	// Header line and title.
	p.text(9, "", muted)
	f.SetXY(margin, 14)
	f.CellFormat(contentW/2, 5, "전자본인서명확인서 발급시스템", "", 0, "L", false, 0, "")
	f.CellFormat(contentW/2, 5, "발급번호 "+r.IssueNumber, "", 0, "R", false, 0, "")
	p.color(rule, true)
	f.SetLineWidth(0.3)
	f.Line(margin, 20, pageW-margin, 20)

	p.text(24, "B", ink)
	f.SetXY(margin, 30)
	f.CellFormat(contentW, 12, Title, "", 1, "C", false, 0, "")
	p.text(9.5, "", muted)
	f.CellFormat(contentW, 6, "Receipt of an electronic personal-signature confirmation", "", 1, "C", false, 0, "")

	// The fields, in a ruled table. A long purpose (up to 500 characters)
	// is set smaller, as much as the page needs to keep to one sheet.
	delegate := r.Delegate
	if delegate == "" {
		delegate = None
	}
	rows := []field{
		{LabelIssueNumber, r.IssueNumber, 16, "B"},
		{LabelIssuedAt, dateTime(r.IssuedAt), 12, ""},
		{LabelName, r.Name, 12, ""},
		{LabelRRN, r.MaskedRRN, 12, ""},
		{LabelPurpose, r.Purpose, 12, ""},
		{LabelInstitution, r.Institution.Name, 12, ""},
		{LabelDelegate, delegate, 12, ""},
	}
	const purpose = 4
	for _, size := range []float64{12, 11, 10, 9, 8} {
		rows[purpose].size = size
		if tableTop+p.height(rows)+statementH+p.notesHeight()+qrBlockH <= pageH-footerH {
			break
		}
	}
	y := tableTop
	f.SetLineWidth(0.5)
	p.color(rule, true)
	f.Line(margin, y, pageW-margin, y)
	f.SetLineWidth(0.2)
	for i, row := range rows {
		y = p.row(y, row, i == len(rows)-1)
	}
	f.SetLineWidth(0.5)
	p.color(rule, true)
	f.Line(margin, y, pageW-margin, y)

	// The statement and the issuer.
	p.text(12, "", ink)
	f.SetXY(margin, y+6)
	f.CellFormat(contentW, 7, "위와 같이 전자본인서명확인서가 발급되었습니다.", "", 1, "C", false, 0, "")
	f.SetXY(margin, y+13)
	f.CellFormat(contentW, 7, dateOnly(r.IssuedAt), "", 1, "C", false, 0, "")
	p.text(14, "B", ink)
	f.SetXY(margin, y+21)
	f.CellFormat(contentW, 8, "전자본인서명확인서 발급시스템", "", 1, "C", false, 0, "")
	y += statementH

	// The notes and the QR code go to a second sheet only if the fields
	// filled the first (names and an institution at their longest).
	if y+p.notesHeight()+qrBlockH > pageH-footerH {
		p.footer(printed)
		f.AddPage()
		y = tableTop
	}
	y = p.notes(y)

	// The QR code and what it says.
	y += 5
	p.qr(qr, margin, y)
	tx := margin + qrSize + 8
	tw := contentW - qrSize - 8
	p.text(11, "B", ink)
	f.SetXY(tx, y+1)
	f.CellFormat(tw, 6, "온라인 확인", "", 2, "L", false, 0, "")
	p.text(9.5, "", ink)
	f.SetX(tx)
	f.MultiCell(tw, 5, "제출기관은 이 QR 코드나 아래 주소로 발급번호를 읽고, 발급시스템에서 성명과 함께 조회합니다.", "", "L", false)
	f.SetX(tx)
	f.CellFormat(tw, 5.5, LabelIssueNumber+": "+r.IssueNumber, "", 2, "L", false, 0, "")
	f.SetX(tx)
	f.MultiCell(tw, 5, "확인 주소: "+address, "", "L", false)
	p.text(8, "", muted)
	f.SetX(tx)
	f.MultiCell(tw, 4.2, "확인서 전자서명 요약값(SHA-256): "+groupHex(r.Digest), "", "L", false)
	p.footer(printed)

	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		return nil, fmt.Errorf("printout: %w", err)
	}
	return buf.Bytes(), nil
}

// page wraps the PDF with the few drawing steps the receipt repeats.
type page struct{ f *fpdf.Fpdf }

// field is one row of the table.
type field struct {
	label, value string
	size         float64 // points
	style        string  // "" or "B"
}

// Vertical layout, in millimetres: where the table starts, and the heights
// of what follows it.
const (
	tableTop   = 52.0
	statementH = 31.0
	qrBlockH   = 6 + qrSize
	footerH    = 18.0
	noteLineH  = 5.0
)

// lines splits a field's value as row draws it.
func (p *page) lines(fl field) ([]string, float64) {
	p.text(fl.size, fl.style, ink)
	lines := p.f.SplitText(fl.value, contentW-labelW-6)
	if len(lines) == 0 {
		lines = []string{""}
	}
	return lines, fl.size * 0.5 // line height: 1.4 x the size in points, in mm
}

// height is the table's height.
func (p *page) height(rows []field) float64 {
	h := 0.0
	for _, r := range rows {
		l, lh := p.lines(r)
		h += max(rowMinH, float64(len(l))*lh+5)
	}
	return h
}

// footer draws the sheet's footer.
func (p *page) footer(printed time.Time) {
	f := p.f
	p.color(rule, true)
	f.SetLineWidth(0.2)
	f.Line(margin, pageH-16, pageW-margin, pageH-16)
	p.text(8, "", muted)
	f.SetXY(margin, pageH-15)
	f.CellFormat(contentW/2, 5, "출력일시 "+dateTimeOf(printed)+" (한국 시간)", "", 0, "L", false, 0, "")
	f.CellFormat(contentW/2, 5, "bonsign · 전자본인서명확인서", "", 0, "R", false, 0, "")
}

func (p *page) text(size float64, style string, c [3]int) {
	p.f.SetFont(fontFamily, style, size)
	p.f.SetTextColor(c[0], c[1], c[2])
}

func (p *page) color(c [3]int, draw bool) {
	if draw {
		p.f.SetDrawColor(c[0], c[1], c[2])
	} else {
		p.f.SetFillColor(c[0], c[1], c[2])
	}
}

// row draws one field at y and returns the y below it. The value wraps; the
// row grows to fit it.
func (p *page) row(y float64, fl field, last bool) float64 {
	f := p.f
	lines, lh := p.lines(fl)
	h := max(rowMinH, float64(len(lines))*lh+5)
	p.color(labelBg, false)
	f.Rect(margin, y, labelW, h, "F")
	p.text(11, "B", ink)
	f.SetXY(margin, y)
	f.CellFormat(labelW, h, fl.label, "", 0, "C", false, 0, "")
	p.text(fl.size, fl.style, ink)
	top := y + (h-float64(len(lines))*lh)/2
	for i, l := range lines {
		f.SetXY(margin+labelW+3, top+float64(i)*lh)
		f.CellFormat(contentW-labelW-6, lh, l, "", 0, "L", false, 0, "")
	}
	p.color(rule, true)
	f.Line(margin+labelW, y, margin+labelW, y+h)
	if !last {
		p.color([3]int{170, 175, 182}, true)
		f.Line(margin, y+h, pageW-margin, y+h)
	}
	return y + h
}

// noteLines splits the notes as notes draws them.
func (p *page) noteLines() [][]string {
	p.text(9.5, "", ink)
	var out [][]string
	for _, n := range Notes {
		out = append(out, p.f.SplitText(n, contentW-16))
	}
	return out
}

// notesHeight is the height of the notes' box.
func (p *page) notesHeight() float64 {
	h := 11.0
	for _, l := range p.noteLines() {
		h += float64(len(l))*noteLineH + 1.2
	}
	return h
}

// notes draws the notes in a box from y and returns the y below it.
func (p *page) notes(y float64) float64 {
	f := p.f
	h := p.notesHeight()
	lines := p.noteLines()
	p.color(noteBg, false)
	p.color([3]int{200, 204, 210}, true)
	f.SetLineWidth(0.2)
	f.Rect(margin, y, contentW, h, "FD")
	p.color(accentBg, false)
	f.Rect(margin, y, 1.6, h, "F")
	p.text(10, "B", ink)
	f.SetXY(margin+6, y+2.5)
	f.CellFormat(contentW-12, 6, "유의사항", "", 2, "L", false, 0, "")
	p.text(9.5, "", ink)
	cy := y + 8.5
	for _, l := range lines {
		f.SetXY(margin+6, cy)
		f.CellFormat(4, noteLineH, "•", "", 0, "L", false, 0, "")
		for i, s := range l {
			f.SetXY(margin+10, cy+float64(i)*noteLineH)
			f.CellFormat(contentW-16, noteLineH, s, "", 0, "L", false, 0, "")
		}
		cy += float64(len(l))*noteLineH + 1.2
	}
	return y + h
}

// qr draws the code as filled squares, so that it stays sharp at any
// printer resolution. Runs of dark modules in a row are one rectangle.
func (p *page) qr(q *qrcode.QRCode, x, y float64) {
	bits := q.Bitmap() // with the quiet zone around it
	n := len(bits)
	m := qrSize / float64(n)
	p.color([3]int{0, 0, 0}, false)
	for r, row := range bits {
		for c := 0; c < n; {
			if !row[c] {
				c++
				continue
			}
			start := c
			for c < n && row[c] {
				c++
			}
			// A hair of overlap between rows hides the seams some
			// viewers draw between adjacent rectangles.
			p.f.Rect(x+float64(start)*m, y+float64(r)*m, float64(c-start)*m, m+0.02, "F")
		}
	}
}

// dateTime writes an RFC 3339 time in Korea Standard Time, as Korean forms
// do: "2026년 11월 25일 14시 03분 05초".
func dateTime(rfc3339 string) string {
	t, err := time.Parse(time.RFC3339, rfc3339)
	if err != nil {
		return rfc3339
	}
	return dateTimeOf(t)
}

func dateTimeOf(t time.Time) string {
	return t.In(api.KST).Format("2006년 1월 2일 15시 04분 05초")
}

func dateOnly(rfc3339 string) string {
	t, err := time.Parse(time.RFC3339, rfc3339)
	if err != nil {
		return rfc3339
	}
	return t.In(api.KST).Format("2006년 1월 2일")
}

// groupHex writes a hex digest in groups of eight for reading aloud.
func groupHex(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i += 8 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s[i:min(i+8, len(s))])
	}
	return b.String()
}
