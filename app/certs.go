package app

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"

	"github.com/bonsign/bonsign/signer"
	"github.com/bonsign/bonsign/signer/certs"
)

// prefCertFiles remembers the certificate files and folders the citizen
// added by hand, one per line.
const prefCertFiles = "certFiles"

// pickedFiles are the files and folders the citizen added, newest first.
func (u *UI) pickedFiles() []string {
	var out []string
	for _, p := range strings.Split(u.app.Preferences().String(prefCertFiles), "\n") {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

// addPickedFile remembers a file or folder the citizen added.
func (u *UI) addPickedFile(path string) {
	files := slices.DeleteFunc(u.pickedFiles(), func(p string) bool { return p == path })
	files = append([]string{path}, files...)
	if len(files) > 20 {
		files = files[:20]
	}
	u.app.Preferences().SetString(prefCertFiles, strings.Join(files, "\n"))
}

// findCertificates lists the certificates off the UI goroutine: the places of
// Config.Certificates, the demo certificate and the files the citizen added.
// It may open token modules, and so must not run on the UI goroutine.
func (u *UI) findCertificates() *certs.List {
	o := u.cfg.Certificates
	o.Files = append(append([]string{}, o.Files...), u.pickedFiles()...)
	if u.cfg.Demo != nil && u.cfg.Demo.CertPath != "" {
		o.Files = append(o.Files, u.cfg.Demo.CertPath)
	}
	return certs.Find(o)
}

// openCertificate opens the chosen certificate with its password or PIN, as
// the sign and login screens need it. A file that exists but is not a
// readable certificate is errCertFile.
func (s *session) openCertificate(secret string) (*signer.Identity, error) {
	if s.cert == nil {
		return nil, errNoCertificate
	}
	id, err := s.cert.Open(secret)
	if err != nil && s.cert.Kind != certs.KindToken && !knownCertError(err) {
		err = fmt.Errorf("%w: %w", errCertFile, err)
	}
	return id, err
}

// errNoCertificate: the sign screen was reached without a chosen certificate.
var errNoCertificate = errors.New("no certificate chosen")

func knownCertError(err error) bool {
	return errors.Is(err, signer.ErrWrongPassword) || errors.Is(err, fs.ErrNotExist) ||
		errors.Is(err, signer.ErrUnsupportedKey) || isNPKIError(err)
}

// entryLine is the second line of a certificate in the picker: issuer, use,
// expiry or why it cannot be used, and where it is kept.
func (u *UI) entryLine(e *certs.Entry, now time.Time) (string, bool) {
	var parts []string
	if iss := e.Issuer(); iss != "" {
		parts = append(parts, iss)
	}
	if ko, en := e.Use(); ko != "" {
		parts = append(parts, u.lang.pick(ko, en))
	}
	usable := e.Err == nil
	switch v, days := e.ValidAt(now); {
	case e.Err != nil:
		parts = append(parts, u.t(txtCertUnreadable))
	case v == certs.Expired:
		parts = append(parts, u.tf(txtCertExpired, e.Certificate.NotAfter.In(now.Location()).Format("2006-01-02")))
		usable = false
	case v == certs.NotYetValid:
		parts = append(parts, u.tf(txtCertNotYet, e.Certificate.NotBefore.In(now.Location()).Format("2006-01-02")))
		usable = false
	case v == certs.Unknown:
		parts = append(parts, u.t(txtCertFileKind), u.t(txtCertLocked))
	default:
		parts = append(parts, u.tf(txtCertExpires, e.Certificate.NotAfter.In(now.Location()).Format("2006-01-02"), days))
	}
	storage := map[certs.Storage]text{certs.StorageDisk: txtStorageDisk, certs.StorageRemovable: txtStorageUSB, certs.StorageToken: txtStorageToken}[e.Storage]
	where := u.t(storage)
	if e.Token != nil && e.Token.Label != "" {
		where += " " + e.Token.Label
	}
	parts = append(parts, where)
	return strings.Join(parts, " · "), usable
}

// minHeightLayout gives its one object at least min height, so a list shows
// a few rows even inside a scrolling page.
type minHeightLayout struct{ min float32 }

func (l minHeightLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Resize(size)
		o.Move(fyne.NewPos(0, 0))
	}
}

func (l minHeightLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var m fyne.Size
	for _, o := range objs {
		m = m.Max(o.MinSize())
	}
	m.Height = max(m.Height, l.min)
	return m
}

// contains is strings.Contains, for tests that read a line in the chosen language.
func (l lang) contains(s, sub string) bool { return strings.Contains(s, sub) }
