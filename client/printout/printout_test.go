package printout_test

import (
	"image"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/bonsign/bonsign/api"
	"github.com/bonsign/bonsign/client/printout"
	"github.com/bonsign/bonsign/internal/testpki"
)

func sample() api.Receipt {
	return api.Receipt{
		IssueNumber: "1058-3669-6474-4915",
		IssuedAt:    "2026-11-25T14:03:05+09:00",
		Name:        "홍길동",
		MaskedRRN:   "900101-1******",
		Purpose:     "부동산 매도: 서울특별시 종로구 예시로 12, 101동 1001호 아파트의 매매계약 및 소유권이전등기",
		Institution: api.Institution{Code: "bs-pub-nps", Name: "국민연금공단"},
		Delegate:    "김대리",
		Digest:      "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
	}
}

// writePDF lays r out and writes it to a file for the outside tools.
func writePDF(t *testing.T, r api.Receipt, opt printout.Options) string {
	t.Helper()
	b, err := printout.PDF(r, opt)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "receipt.pdf")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// squeeze drops white space: pdftotext breaks lines where the layout wraps.
func squeeze(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// pages renders every page at 150 dpi with pdftoppm.
func pages(t *testing.T, pdf string) []image.Image {
	t.Helper()
	prefix := filepath.Join(t.TempDir(), "page")
	testpki.Run(t, "pdftoppm", "-r", "150", "-png", pdf, prefix)
	files, _ := filepath.Glob(prefix + "-*.png")
	slices.Sort(files)
	var out []image.Image
	for _, p := range files {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, img)
	}
	if len(out) == 0 {
		t.Fatal("pdftoppm rendered no page")
	}
	return out
}

// decodeQR reads the QR code on a rendered page with gozxing.
func decodeQR(t *testing.T, img image.Image) string {
	t.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true})
	if err != nil {
		t.Fatalf("no QR code found on the page: %v", err)
	}
	return res.GetText()
}

func TestThePDFShowsEveryReceiptField(t *testing.T) {
	long := sample()
	words := []rune(strings.Repeat("부동산 매도 및 소유권이전등기 (서울특별시 종로구 예시로 12, 101동 1001호) ", 20))
	long.Purpose = strings.TrimSpace(string(words[:api.MaxPurposeLen]))
	noDelegate := sample()
	noDelegate.Delegate = ""
	longest := sample()
	longest.Name = strings.Repeat("가나다라마바사아자차", 5)
	longest.Delegate = strings.Repeat("김이박최정강조윤장임", 5)
	longest.Institution.Name = strings.Repeat("한국지능정보사회진흥원부설기관", 6)
	longest.Purpose = long.Purpose
	for _, tc := range []struct {
		name      string
		r         api.Receipt
		delegate  string
		wantPages int
	}{
		{"a receipt with a delegate", sample(), "김대리", 1},
		{"a receipt without a delegate says so", noDelegate, "없음", 1},
		{"a purpose of the longest length allowed still fits one sheet", long, "김대리", 1},
		{"every field at its longest spills onto a second sheet, whole", longest, longest.Delegate, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pdf := writePDF(t, tc.r, printout.Options{})
			text := string(testpki.Run(t, "pdftotext", "-enc", "UTF-8", pdf, "-"))
			flat := squeeze(text)
			r := tc.r
			for label, value := range map[string]string{
				printout.LabelIssueNumber: r.IssueNumber,
				printout.LabelIssuedAt:    "2026년 11월 25일 14시 03분 05초",
				printout.LabelName:        r.Name,
				printout.LabelRRN:         r.MaskedRRN,
				printout.LabelPurpose:     r.Purpose,
				printout.LabelInstitution: r.Institution.Name,
				printout.LabelDelegate:    tc.delegate,
			} {
				if !strings.Contains(flat, squeeze(label)) {
					t.Errorf("pdftotext does not find the label %q", label)
				}
				if !strings.Contains(flat, squeeze(value)) {
					t.Errorf("pdftotext does not find %s %q in:\n%s", label, value, text)
				}
			}
			for _, want := range append([]string{printout.Title, "법적 효력이 없습니다", "온라인으로 확인"}, printout.Notes...) {
				if !strings.Contains(flat, squeeze(want)) {
					t.Errorf("pdftotext does not find %q", want)
				}
			}
			imgs := pages(t, pdf)
			if len(imgs) != tc.wantPages {
				t.Errorf("%d pages, want %d", len(imgs), tc.wantPages)
			}
			if got, want := decodeQR(t, imgs[len(imgs)-1]), "bonsign:verify?no="+r.IssueNumber; got != want {
				t.Errorf("QR code = %q, want %q", got, want)
			}
		})
	}
}

func TestTheQRCodeCarriesTheIssueNumberAndTheVerificationAddress(t *testing.T) {
	r := sample()
	for _, tc := range []struct{ template, want string }{
		{"", "bonsign:verify?no=" + r.IssueNumber},
		{"https://bonsign.example.kr/verify?no={no}", "https://bonsign.example.kr/verify?no=" + r.IssueNumber},
		{"https://bonsign.example.kr/verify", "https://bonsign.example.kr/verify?no=" + r.IssueNumber},
		{"https://bonsign.example.kr/verify?lang=ko", "https://bonsign.example.kr/verify?lang=ko&no=" + r.IssueNumber},
	} {
		t.Run(tc.want, func(t *testing.T) {
			if got := printout.VerifyAddress(tc.template, r.IssueNumber); got != tc.want {
				t.Errorf("VerifyAddress(%q) = %q, want %q", tc.template, got, tc.want)
			}
			pdf := writePDF(t, r, printout.Options{VerifyAddress: tc.template})
			if got := decodeQR(t, pages(t, pdf)[0]); got != tc.want {
				t.Errorf("QR code = %q, want %q", got, tc.want)
			}
			flat := squeeze(string(testpki.Run(t, "pdftotext", "-enc", "UTF-8", pdf, "-")))
			if !strings.Contains(flat, squeeze(tc.want)) {
				t.Errorf("the address %q is not printed beside the code", tc.want)
			}
		})
	}
}

var fontLine = regexp.MustCompile(`(?mi)^\S*bonsigngothic\S*\s+CID TrueType\s+Identity-H\s+yes\s+\S+\s+yes\b`)

// TestThePDFEmbedsTheBundledFont: pdffonts (poppler) lists both faces,
// embedded with a Unicode map, so the Korean text looks the same everywhere
// and can be searched and copied; and only the glyphs used are embedded
// (each face is 1.3 MB whole).
func TestThePDFEmbedsTheBundledFont(t *testing.T) {
	pdf := writePDF(t, sample(), printout.Options{})
	out := string(testpki.Run(t, "pdffonts", pdf))
	if n := len(fontLine.FindAllString(out, -1)); n != 2 {
		t.Errorf("pdffonts lists %d embedded Bonsign Gothic faces with a Unicode map, want 2 (regular and bold):\n%s", n, out)
	}
	if fi, err := os.Stat(pdf); err != nil || fi.Size() > 200<<10 {
		t.Errorf("the PDF is %d bytes: the fonts are not subset", fi.Size())
	}
	info := map[string]string{}
	for _, line := range strings.Split(string(testpki.Run(t, "pdfinfo", pdf)), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok {
			info[k] = strings.TrimSpace(v)
		}
	}
	for k, want := range map[string]string{
		"Pages":     "1",
		"Page size": "595.28 x 841.89 pts (A4)",
		"Title":     "전자본인서명확인서 발급증 1058-3669-6474-4915",
	} {
		if info[k] != want {
			t.Errorf("pdfinfo: %s is %q, want %q", k, info[k], want)
		}
	}
}

func TestThePrintedTimeIsKoreaStandardTime(t *testing.T) {
	at := time.Date(2026, 11, 25, 19, 30, 0, 0, time.UTC) // 04:30 the next day in Seoul
	flat := squeeze(string(testpki.Run(t, "pdftotext", "-enc", "UTF-8", writePDF(t, sample(), printout.Options{PrintedAt: at}), "-")))
	if !strings.Contains(flat, squeeze("출력일시 2026년 11월 26일 04시 30분 00초 (한국 시간)")) {
		t.Errorf("the printing time is not given in Korea Standard Time")
	}
}

func TestAReceiptWithoutANumberIsRefused(t *testing.T) {
	if _, err := printout.PDF(api.Receipt{}, printout.Options{}); err == nil {
		t.Error("PDF of an empty receipt succeeded")
	}
}

func TestOpenStartsTheSystemViewer(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the fake viewer is a shell script")
	}
	bin := t.TempDir()
	log := filepath.Join(bin, "opened")
	script := "#!/bin/sh\nprintf '%s\\n' \"$@\" > " + log + "\n"
	if err := os.WriteFile(filepath.Join(bin, "xdg-open"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin)
	pdf := filepath.Join(t.TempDir(), "발급증 1058 & co.pdf")
	if err := printout.Open(pdf); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		b, _ := os.ReadFile(log)
		if string(b) == pdf+"\n" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("xdg-open got %q, want the path %q as one argument", b, pdf)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
