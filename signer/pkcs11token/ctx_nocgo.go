//go:build !cgo

package pkcs11token

// Open always fails in a build without cgo: loading a PKCS#11 module needs
// it. The error is ErrNoCgo, so a caller can hide the token option instead of
// showing a failure.
func Open(modulePath string) (*Module, error) {
	return nil, ErrNoCgo
}
