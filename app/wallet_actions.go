package app

import (
	"context"
	"fmt"
	"image/color"
	"io"
	"os"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/bonsign/bonsign/api"
	"github.com/bonsign/bonsign/client/printout"
	"github.com/bonsign/bonsign/client/wallet"
)

// This file holds what the wallet and receipt screens do with receipts:
// print, save as PDF, export, import.

// printOptions is how receipts are printed. The verification address in the
// QR code is printout's default until the issuance system publishes a web
// page for it.
func (u *UI) printOptions() printout.Options { return printout.Options{} }

// savePDF asks where to save the receipt as PDF and saves it there.
func (u *UI) savePDF(r api.Receipt, note func(string, widget.Importance)) {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		u.writePDF(r, w, note)
	}, u.win)
	d.SetFileName(u.tf(txtPDFName, r.IssueNumber))
	d.SetFilter(storage.NewExtensionFileFilter([]string{".pdf"}))
	d.Show()
}

// writePDF lays the receipt out and writes it to w, off the UI goroutine.
func (u *UI) writePDF(r api.Receipt, w io.WriteCloser, note func(string, widget.Importance)) {
	opt := u.printOptions()
	u.run(func(context.Context) error {
		b, err := printout.PDF(r, opt)
		if err == nil {
			_, err = w.Write(b)
		}
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		return err
	}, func(err error) {
		if err != nil {
			note(u.lang.errorText(err, txtErrWallet), widget.DangerImportance)
			return
		}
		note(u.t(txtSavedPDF), widget.SuccessImportance)
	})
}

// printReceipt writes the receipt as PDF to a temporary file and opens it in
// the system's viewer, from which the citizen prints (there is no portable
// way to print directly). The file holds only what the receipt shows, the
// resident registration number masked; the system cleans its temporary
// folder.
func (u *UI) printReceipt(r api.Receipt, open func(string) error, note func(string, widget.Importance)) {
	if open == nil {
		open = printout.Open
	}
	opt := u.printOptions()
	u.run(func(context.Context) error {
		b, err := printout.PDF(r, opt)
		if err != nil {
			return err
		}
		f, err := os.CreateTemp("", "bonsign-"+r.IssueNumber+"-*.pdf")
		if err != nil {
			return err
		}
		_, err = f.Write(b)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
		return open(f.Name())
	}, func(err error) {
		if err != nil {
			note(u.lang.errorText(err, txtErrUnknown), widget.DangerImportance)
			return
		}
		note(u.t(txtPrintOpened), widget.SuccessImportance)
	})
}

// choice shows a dialog that explains and offers two ways to go on.
func (u *UI) choice(title, explain string, a, b *button) {
	d := dialog.NewCustom(title, u.t(txtCancel), container.NewVBox(
		container.New(minWidthLayout{420}, para(explain)),
		container.NewGridWithColumns(2, a, b),
	), u.win)
	wrap := func(f func()) func() { return func() { d.Hide(); f() } }
	a.OnTapped, b.OnTapped = wrap(a.OnTapped), wrap(b.OnTapped)
	d.Show()
}

// chooseExport exports the receipts numbered nums (all when nil) to a
// .bonsign file or a folder, as the citizen chooses.
func (s *walletScreen) chooseExport(nums []string) {
	u := s.ui
	name := u.tf(txtExportName, time.Now().In(api.KST).Format("20060102"))
	if len(nums) == 1 {
		name = u.tf(txtExportName, nums[0])
	}
	asFile := newButton(u.t(txtAsFile), theme.FileIcon(), func() {
		d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
			if err != nil || w == nil {
				return
			}
			s.exportTo(w, nums)
		}, u.win)
		d.SetFileName(name)
		d.SetFilter(storage.NewExtensionFileFilter([]string{wallet.Extension}))
		d.Show()
	})
	asFolder := newButton(u.t(txtAsFolder), theme.FolderIcon(), func() {
		dialog.NewFolderOpen(func(l fyne.ListableURI, err error) {
			if err != nil || l == nil {
				return
			}
			s.exportToFolder(l.Path(), nums)
		}, u.win).Show()
	})
	u.choice(u.t(txtExportTitle), u.t(txtExportChoose), asFile, asFolder)
}

// exportTo writes a .bonsign archive to w.
func (s *walletScreen) exportTo(w io.WriteCloser, nums []string) {
	u := s.ui
	count := len(nums)
	u.run(func(context.Context) error {
		if count == 0 {
			n, err := u.wallet.Len()
			if err != nil {
				w.Close()
				return err
			}
			count = n
		}
		err := u.wallet.Export(w, nums...)
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		return err
	}, func(err error) { s.exported(count, err) })
}

// exportToFolder writes the receipts' folders into dir.
func (s *walletScreen) exportToFolder(dir string, nums []string) {
	u := s.ui
	count := len(nums)
	u.run(func(context.Context) error {
		if count == 0 {
			n, err := u.wallet.Len()
			if err != nil {
				return err
			}
			count = n
		}
		return u.wallet.ExportFolder(dir, nums...)
	}, func(err error) { s.exported(count, err) })
}

func (s *walletScreen) exported(count int, err error) {
	if err != nil {
		s.setNote(s.ui.walletErrorText(err), widget.DangerImportance)
		return
	}
	s.setNote(s.ui.tf(txtExported, count), widget.SuccessImportance)
}

// chooseImport imports receipts from a .bonsign file or a folder.
func (s *walletScreen) chooseImport() {
	u := s.ui
	fromFile := newButton(u.t(txtFromFile), theme.FileIcon(), func() {
		d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
			if err != nil || r == nil {
				return
			}
			r.Close()
			s.importFrom(r.URI().Path())
		}, u.win)
		d.SetFilter(storage.NewExtensionFileFilter([]string{wallet.Extension, ".zip"}))
		d.Show()
	})
	fromFolder := newButton(u.t(txtFromFolder), theme.FolderIcon(), func() {
		dialog.NewFolderOpen(func(l fyne.ListableURI, err error) {
			if err != nil || l == nil {
				return
			}
			s.importFrom(l.Path())
		}, u.win).Show()
	})
	u.choice(u.t(txtImportTitle), u.t(txtImportChoose), fromFile, fromFolder)
}

// importFrom imports the file or folder at path and reports what happened
// to each receipt.
func (s *walletScreen) importFrom(path string) {
	u := s.ui
	var res *wallet.ImportResult
	u.run(func(context.Context) (err error) {
		res, err = u.wallet.Import(path)
		return err
	}, func(err error) {
		if err != nil {
			s.setNote(u.walletErrorText(err), widget.DangerImportance)
			return
		}
		msg := u.tf(txtImportDone, len(res.Added), len(res.Present))
		imp := widget.SuccessImportance
		if len(res.Refused) > 0 {
			lines := []string{msg, u.tf(txtImportLeft, len(res.Refused))}
			for _, r := range res.Refused {
				lines = append(lines, fmt.Sprintf("• %s: %s", r.Name, u.walletErrorText(r.Err)))
			}
			msg, imp = strings.Join(lines, "\n"), widget.WarningImportance
		}
		s.setNote(msg, imp)
		if len(res.Added) > 0 {
			s.selected = res.Added[0]
		}
		s.refresh()
	})
}

// rgba is an 8-bit colour from the 16-bit components color.Color.RGBA gives.
func rgba(r, g, b uint32, a uint8) color.Color {
	return color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: a}
}
