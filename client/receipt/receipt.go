// Package receipt checks receipts (발급증) offline: a receipt is the canonical
// JSON of an api.Receipt plus the issuance server's detached CMS signature over
// exactly those bytes, made by the receipt key whose certificate the client
// pinned. An edited, truncated or foreign receipt never passes.
package receipt

import (
	"bytes"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/bonsign/bonsign/api"
	"github.com/smallstep/pkcs7"
)

// Why a receipt is not genuine. Callers show each in words a citizen understands.
var (
	// ErrAltered: the receipt's content or its signature was changed after issuance.
	ErrAltered = errors.New("receipt: the receipt was altered after it was issued")
	// ErrForeign: the receipt was signed by a key other than the pinned one.
	ErrForeign = errors.New("receipt: the receipt was not signed by this issuance server")
	// ErrMalformed: the files are truncated or not a receipt at all.
	ErrMalformed = errors.New("receipt: the receipt is damaged or is not a receipt")
)

// Verify checks that sig is the signature of one of the pinned receipt
// certificates over content and that content is a receipt in canonical form,
// and returns the receipt. With no pinned certificate nothing is trusted and
// every well-formed receipt is ErrForeign.
//
// Trust comes from the pinned certificates alone: the certificate carried
// inside sig only names the signer, and its validity dates are checked
// against the signing time recorded in sig, so a receipt stays verifiable
// after the receipt certificate expires.
func Verify(content, sig []byte, pinned ...*x509.Certificate) (*api.Receipt, error) {
	var r api.Receipt
	dec := json.NewDecoder(bytes.NewReader(content))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	canonical, err := r.Canonical()
	if err != nil || !bytes.Equal(canonical, content) {
		// Valid JSON but not the bytes the server signs: edited by hand.
		return nil, ErrAltered
	}
	if err := checkShape(sig); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	p7, err := pkcs7.Parse(sig)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if len(p7.Signers) != 1 {
		return nil, fmt.Errorf("%w: %d signers", ErrMalformed, len(p7.Signers))
	}
	signer := p7.GetOnlySigner()
	if signer == nil {
		return nil, fmt.Errorf("%w: no signer certificate", ErrMalformed)
	}
	if !slices.ContainsFunc(pinned, signer.Equal) {
		return nil, ErrForeign
	}
	p7.Content = content
	if err := p7.Verify(); err != nil {
		return nil, ErrAltered
	}
	return &r, nil
}
