package receipt

import (
	"bytes"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
)

// Object identifiers a receipt signature uses (RFC 5652 and RFC 5754).
var (
	oidSignedData  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2} // RFC 5652 section 5.1
	oidData        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1} // RFC 5652 section 4
	oidContentType = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3} // RFC 5652 section 11.1
	oidSHA256      = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
)

// The CMS structures of RFC 5652, as far as a receipt signature uses them.
type (
	contentInfo struct {
		ContentType asn1.ObjectIdentifier
		Content     signedData `asn1:"explicit,tag:0"`
	}
	signedData struct {
		Version          int
		DigestAlgorithms []pkix.AlgorithmIdentifier `asn1:"set"`
		EncapContentInfo encapContentInfo
		Certificates     asn1.RawValue `asn1:"optional,tag:0"`
		CRLs             asn1.RawValue `asn1:"optional,tag:1"`
		SignerInfos      []signerInfo  `asn1:"set"`
	}
	encapContentInfo struct {
		EContentType asn1.ObjectIdentifier
		EContent     asn1.RawValue `asn1:"optional,explicit,tag:0"`
	}
	signerInfo struct {
		Version            int
		SID                asn1.RawValue
		DigestAlgorithm    pkix.AlgorithmIdentifier
		SignedAttrs        []attribute `asn1:"optional,tag:0"`
		SignatureAlgorithm pkix.AlgorithmIdentifier
		Signature          []byte
		UnsignedAttrs      []attribute `asn1:"optional,tag:1"`
	}
	attribute struct {
		Type   asn1.ObjectIdentifier
		Values asn1.RawValue
	}
)

// checkShape refuses a signature that is not exactly what the issuance server
// makes: DER (not BER), SignedData version 1 with SHA-256 only, detached id-data
// content, one signer of version 1 with signed attributes and no unsigned
// ones. pkcs7.Parse is lenient and pkcs7's Verify ignores the fields that no
// signature covers (versions, the digest algorithm list, the content type,
// the tags of the attribute sets), so without this check some bytes of a
// receipt.p7s could change and the receipt would still verify.
func checkShape(sig []byte) error {
	var ci contentInfo
	rest, err := asn1.Unmarshal(sig, &ci)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return errors.New("trailing data")
	}
	// Re-encoding gives back the same bytes only if every length and tag the
	// structures above type was in its one DER form.
	again, err := asn1.Marshal(ci)
	if err != nil || !bytes.Equal(again, sig) {
		return errors.New("not in DER form")
	}
	sd := ci.Content
	switch {
	case !ci.ContentType.Equal(oidSignedData):
		return fmt.Errorf("content type %v is not signed-data", ci.ContentType)
	case sd.Version != 1:
		return fmt.Errorf("signed-data version %d, want 1", sd.Version)
	case len(sd.DigestAlgorithms) != 1 || !isSHA256(sd.DigestAlgorithms[0]):
		return errors.New("digest algorithms other than SHA-256 alone")
	case !sd.EncapContentInfo.EContentType.Equal(oidData):
		return fmt.Errorf("encapsulated content type %v is not id-data", sd.EncapContentInfo.EContentType)
	case len(sd.EncapContentInfo.EContent.FullBytes) > 0:
		return errors.New("content is attached; a receipt signature is detached")
	case len(sd.CRLs.FullBytes) > 0:
		return errors.New("carries revocation lists")
	case len(sd.SignerInfos) != 1:
		return fmt.Errorf("%d signers, want 1", len(sd.SignerInfos))
	}
	si := sd.SignerInfos[0]
	switch {
	case si.Version != 1:
		return fmt.Errorf("signer version %d, want 1", si.Version)
	case !isSHA256(si.DigestAlgorithm):
		return errors.New("signer digest is not SHA-256")
	case len(si.SignedAttrs) == 0:
		return errors.New("no signed attributes")
	case len(si.UnsignedAttrs) > 0:
		return errors.New("unsigned attributes")
	}
	contentTypes := 0
	for _, a := range si.SignedAttrs {
		v := a.Values
		if v.Class != asn1.ClassUniversal || v.Tag != asn1.TagSet || !v.IsCompound {
			return fmt.Errorf("attribute %v: values are not a SET", a.Type)
		}
		if a.Type.Equal(oidContentType) {
			contentTypes++
			var ct asn1.ObjectIdentifier
			if rest, err := asn1.Unmarshal(v.Bytes, &ct); err != nil || len(rest) > 0 || !ct.Equal(oidData) {
				return errors.New("content-type attribute is not id-data")
			}
		}
	}
	if contentTypes != 1 {
		return errors.New("no single content-type attribute")
	}
	return nil
}

// isSHA256 accepts SHA-256 with absent or NULL parameters (RFC 5754 section 2).
func isSHA256(a pkix.AlgorithmIdentifier) bool {
	if !a.Algorithm.Equal(oidSHA256) {
		return false
	}
	p := a.Parameters.FullBytes
	return len(p) == 0 || bytes.Equal(p, asn1.NullBytes)
}
