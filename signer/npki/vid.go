package npki

import (
	"crypto"
	"crypto/subtle"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
)

// The VID scheme binds an NPKI certificate to its holder's resident
// registration number (RRN) without putting the number in the certificate
// (KISA KCAC.TS.SIVID, "Subject Identification Method using VID"). The CA
// draws a random R, keeps it in the private key's randomNum attribute, and
// writes
//
//	VID = H(H(DER(SEQUENCE { PrintableString idn, BIT STRING R })))
//
// into the certificate, idn being the 13 digits of the RRN. Whoever is given
// the RRN and R by the holder can recompute the VID and compare.

// ErrNoVID is returned when a certificate has no identifyData with a VID.
var ErrNoVID = errors.New("npki: the certificate has no identifyData (VID)")

// ErrVIDMismatch is returned by CheckVID when the resident registration
// number and R do not give the certificate's VID.
var ErrVIDMismatch = errors.New("npki: the VID does not match the resident registration number")

var (
	// subjectAltName (RFC 5280 section 4.2.1.6).
	oidSubjectAltName = asn1.ObjectIdentifier{2, 5, 29, 17}
	// identifyData, the type-id of the otherName holding the VID
	// (KCAC.TS.SIVID).
	oidIdentifyData = asn1.ObjectIdentifier{1, 2, 410, 200004, 10, 1, 1}
	// vid, the type of the user information entry holding the VID.
	oidVID = asn1.ObjectIdentifier{1, 2, 410, 200004, 10, 1, 1, 1}
)

// vidHashes are the hash algorithms a VID may use (RFC 3279 section 2.2.1;
// RFC 5754 section 2). Certificates name SHA-1 or SHA-256.
var vidHashes = []struct {
	oid  asn1.ObjectIdentifier
	hash crypto.Hash
}{
	{asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}, crypto.SHA1},
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 4}, crypto.SHA224},
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}, crypto.SHA256},
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}, crypto.SHA384},
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}, crypto.SHA512},
}

// otherName is GeneralName's otherName (RFC 5280 section 4.2.1.6), read from
// the [0] IMPLICIT tag that replaces its SEQUENCE tag. encoding/asn1 hands a
// RawValue the explicit [0] element whole, so Value.Bytes is the value's own
// encoding.
type otherName struct {
	TypeID asn1.ObjectIdentifier
	Value  asn1.RawValue `asn1:"explicit,tag:0"`
}

// identifyData ::= SEQUENCE { realName UTF8String, userInfo SEQUENCE OF
// SEQUENCE { type OBJECT IDENTIFIER, value ANY DEFINED BY type } }.
type identifyData struct {
	RealName string `asn1:"utf8"`
	UserInfo []userInfo
}

type userInfo struct {
	Type  asn1.ObjectIdentifier
	Value asn1.RawValue
}

// vidValue ::= SEQUENCE { hashAlg AlgorithmIdentifier, vid [0] EXPLICIT OCTET
// STRING }. hashAlg's parameters may be NULL or absent.
type vidValue struct {
	HashAlg pkix.AlgorithmIdentifier
	VID     []byte `asn1:"explicit,tag:0"`
}

// VID reads the certificate's identifyData: the holder's real name, the hash
// the VID was made with, and the VID. It returns ErrNoVID when the
// certificate has none.
func VID(cert *x509.Certificate) (realName string, hashAlg crypto.Hash, vid []byte, err error) {
	for _, ext := range cert.Extensions {
		if ext.Id.Equal(oidSubjectAltName) {
			return parseVIDExtension(ext.Value)
		}
	}
	return "", 0, nil, ErrNoVID
}

// parseVIDExtension reads a subjectAltName extension value (GeneralNames)
// for the identifyData otherName.
func parseVIDExtension(value []byte) (string, crypto.Hash, []byte, error) {
	malformed := func(what string, err error) (string, crypto.Hash, []byte, error) {
		if err != nil {
			return "", 0, nil, fmt.Errorf("npki: malformed %s in the certificate: %v", what, err)
		}
		return "", 0, nil, fmt.Errorf("npki: malformed %s in the certificate", what)
	}
	var names asn1.RawValue
	rest, err := asn1.Unmarshal(value, &names)
	if err != nil || len(rest) != 0 || names.Class != asn1.ClassUniversal || names.Tag != asn1.TagSequence {
		return malformed("subjectAltName", err)
	}
	for rest := names.Bytes; len(rest) > 0; {
		var name asn1.RawValue
		if rest, err = asn1.Unmarshal(rest, &name); err != nil {
			return malformed("subjectAltName", err)
		}
		if name.Class != asn1.ClassContextSpecific || name.Tag != 0 {
			continue
		}
		var on otherName
		if _, err := asn1.UnmarshalWithParams(name.FullBytes, &on, "tag:0"); err != nil {
			return malformed("otherName", err)
		}
		if !on.TypeID.Equal(oidIdentifyData) {
			continue
		}
		var id identifyData
		if r, err := asn1.Unmarshal(on.Value.Bytes, &id); err != nil || len(r) != 0 {
			return malformed("identifyData", err)
		}
		for _, u := range id.UserInfo {
			if !u.Type.Equal(oidVID) {
				continue
			}
			var v vidValue
			if r, err := asn1.Unmarshal(u.Value.FullBytes, &v); err != nil || len(r) != 0 {
				return malformed("VID", err)
			}
			for _, h := range vidHashes {
				if v.HashAlg.Algorithm.Equal(h.oid) {
					if len(v.VID) != h.hash.Size() {
						return malformed("VID", fmt.Errorf("%d bytes for %v", len(v.VID), h.hash))
					}
					return id.RealName, h.hash, v.VID, nil
				}
			}
			return "", 0, nil, &UnsupportedAlgorithmError{OID: v.HashAlg.Algorithm, Use: useVIDHash}
		}
		return "", 0, nil, ErrNoVID
	}
	return "", 0, nil, ErrNoVID
}

// CheckVID checks that the certificate's VID was made from the resident
// registration number rrn (13 digits, with or without the hyphen after the
// sixth) and R, the randomNum of the certificate's private key. It returns
// nil on a match and ErrVIDMismatch otherwise. Neither rrn nor R appears in
// any error.
func CheckVID(cert *x509.Certificate, rrn string, r []byte) error {
	_, h, vid, err := VID(cert)
	if err != nil {
		return err
	}
	got, err := computeVID(h, rrn, r)
	if err != nil {
		return err
	}
	if subtle.ConstantTimeCompare(got, vid) != 1 {
		return ErrVIDMismatch
	}
	return nil
}

// normalizeRRN returns the 13 digits of rrn, which may have a hyphen after
// the sixth. Only the form is checked: birth date and check digit are the
// business of whoever collected the number.
func normalizeRRN(rrn string) (string, error) {
	if len(rrn) == 14 && rrn[6] == '-' {
		rrn = rrn[:6] + rrn[7:]
	}
	if len(rrn) != 13 {
		return "", errors.New("npki: a resident registration number has 13 digits")
	}
	for i := 0; i < len(rrn); i++ {
		if rrn[i] < '0' || rrn[i] > '9' {
			return "", errors.New("npki: a resident registration number has 13 digits")
		}
	}
	return rrn, nil
}

// computeVID is H(H(DER(SEQUENCE { PrintableString idn, BIT STRING R }))).
func computeVID(h crypto.Hash, rrn string, r []byte) ([]byte, error) {
	idn, err := normalizeRRN(rrn)
	if err != nil {
		return nil, err
	}
	if len(r) == 0 {
		return nil, errors.New("npki: no randomNum to check the VID with")
	}
	if !h.Available() {
		return nil, fmt.Errorf("npki: hash %v unavailable", h)
	}
	der, err := asn1.Marshal(struct {
		IDN       string `asn1:"printable"`
		RandomNum asn1.BitString
	}{idn, asn1.BitString{Bytes: r, BitLength: 8 * len(r)}})
	if err != nil {
		return nil, fmt.Errorf("npki: %w", err)
	}
	d := h.New()
	d.Write(der)
	inner := d.Sum(nil)
	d.Reset()
	d.Write(inner)
	return d.Sum(nil), nil
}

// MakeIdentifyDataExtension builds a subjectAltName extension holding the
// identifyData otherName for realName with the VID of rrn and R under hash h
// (crypto.SHA1 or crypto.SHA256 in real certificates), as a Korean CA
// issues it. Put it in x509.Certificate.ExtraExtensions; it replaces any
// subjectAltName the template would otherwise get. For tests and the demo
// CA.
func MakeIdentifyDataExtension(realName, rrn string, r []byte, h crypto.Hash) (pkix.Extension, error) {
	var hashOID asn1.ObjectIdentifier
	for _, vh := range vidHashes {
		if vh.hash == h {
			hashOID = vh.oid
		}
	}
	if hashOID == nil {
		return pkix.Extension{}, fmt.Errorf("npki: no VID hash %v", h)
	}
	vid, err := computeVID(h, rrn, r)
	if err != nil {
		return pkix.Extension{}, err
	}
	value, err := asn1.Marshal(vidValue{HashAlg: pkix.AlgorithmIdentifier{Algorithm: hashOID}, VID: vid})
	if err != nil {
		return pkix.Extension{}, fmt.Errorf("npki: %w", err)
	}
	id, err := asn1.Marshal(identifyData{
		RealName: realName,
		UserInfo: []userInfo{{Type: oidVID, Value: asn1.RawValue{FullBytes: value}}},
	})
	if err != nil {
		return pkix.Extension{}, fmt.Errorf("npki: %w", err)
	}
	// encoding/asn1 writes a RawValue as it is, ignoring the field's explicit
	// tag, so the [0] EXPLICIT wrapper is spelled out here.
	on, err := asn1.MarshalWithParams(otherName{
		TypeID: oidIdentifyData,
		Value:  asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: id},
	}, "tag:0")
	if err != nil {
		return pkix.Extension{}, fmt.Errorf("npki: %w", err)
	}
	names, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true, Bytes: on})
	if err != nil {
		return pkix.Extension{}, fmt.Errorf("npki: %w", err)
	}
	return pkix.Extension{Id: oidSubjectAltName, Value: names}, nil
}
