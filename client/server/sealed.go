package server

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/bonsign/bonsign/api"
)

// sealedConfirmation is what the store keeps, encrypted, for each issuance.
type sealedConfirmation struct {
	Confirmation api.Confirmation `json:"confirmation"`
	Signature    []byte           `json:"signature"`
	// ReceiptSignature is the receipt's signature made at issuance, by the
	// receipt certificate named by ReceiptCert (its fingerprint): lookups
	// send it again instead of signing anew while that key is in use.
	ReceiptSignature []byte `json:"receipt_signature,omitempty"`
	ReceiptCert      string `json:"receipt_cert,omitempty"`
}

// The sealed payload's layout. Version 2 (written since then): the byte
// sealedV2, then four fields, each its length as a uvarint and its bytes:
// the confirmation as JSON, the citizen's CMS, the receipt's CMS and the
// receipt certificate's fingerprint. The signatures stay binary, where JSON
// would hold them in base64: a third smaller, and a lookup parses only the
// confirmation's few hundred bytes of JSON. Version 1 payloads, the whole
// struct as JSON, start with '{' and are still read.
const sealedV2 = 0x02

// marshal encodes sc in the current layout.
func (sc *sealedConfirmation) marshal() ([]byte, error) {
	conf, err := json.Marshal(&sc.Confirmation)
	if err != nil {
		return nil, err
	}
	b := make([]byte, 0, 1+4*binary.MaxVarintLen32+len(conf)+len(sc.Signature)+len(sc.ReceiptSignature)+len(sc.ReceiptCert))
	b = append(b, sealedV2)
	for _, f := range [][]byte{conf, sc.Signature, sc.ReceiptSignature, []byte(sc.ReceiptCert)} {
		b = binary.AppendUvarint(b, uint64(len(f)))
		b = append(b, f...)
	}
	return b, nil
}

var errSealedLayout = errors.New("sealed confirmation: damaged layout")

// unmarshalSealed decodes a payload of either layout.
func unmarshalSealed(p []byte) (*sealedConfirmation, error) {
	var sc sealedConfirmation
	if len(p) > 0 && p[0] == '{' {
		if err := json.Unmarshal(p, &sc); err != nil {
			return nil, fmt.Errorf("sealed confirmation: %w", err)
		}
		return &sc, nil
	}
	if len(p) == 0 || p[0] != sealedV2 {
		return nil, errSealedLayout
	}
	p = p[1:]
	var fields [4][]byte
	for i := range fields {
		n, k := binary.Uvarint(p)
		if k <= 0 || n > uint64(len(p)-k) {
			return nil, errSealedLayout
		}
		fields[i], p = p[k:k+int(n)], p[k+int(n):]
	}
	if len(p) != 0 {
		return nil, errSealedLayout
	}
	if err := json.Unmarshal(fields[0], &sc.Confirmation); err != nil {
		return nil, fmt.Errorf("sealed confirmation: %w", err)
	}
	if len(fields[1]) > 0 {
		sc.Signature = fields[1]
	}
	if len(fields[2]) > 0 {
		sc.ReceiptSignature = fields[2]
	}
	sc.ReceiptCert = string(fields[3])
	return &sc, nil
}

// sealConfirmation encodes sc and seals it with the data key, as the store
// keeps it.
func (s *Server) sealConfirmation(sc *sealedConfirmation) ([]byte, error) {
	payload, err := sc.marshal()
	if err != nil {
		return nil, err
	}
	return s.sealer.Seal(payload, "confirmation"), nil
}

// openSealed opens and decodes a sealed confirmation from the store.
func (s *Server) openSealed(sealed []byte) (*sealedConfirmation, error) {
	payload, err := s.sealer.Open(sealed, "confirmation")
	if err != nil {
		return nil, err
	}
	return unmarshalSealed(payload)
}
