package api

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"math/big"
)

// OIDSigningCertificateV2 is id-aa-signingCertificateV2 (RFC 5035 section 3):
// the signed attribute that binds a CMS signature to the certificate that made
// it, which CAdES-BES requires.
var OIDSigningCertificateV2 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 47}

// SigningCertificateV2 is the attribute's value (RFC 5035 section 3):
//
//	SigningCertificateV2 ::= SEQUENCE {
//	    certs    SEQUENCE OF ESSCertIDv2,
//	    policies SEQUENCE OF PolicyInformation OPTIONAL }
type SigningCertificateV2 struct {
	Certs []ESSCertIDv2
}

// ESSCertIDv2 names a certificate by its hash (RFC 5035 section 4):
//
//	ESSCertIDv2 ::= SEQUENCE {
//	    hashAlgorithm AlgorithmIdentifier DEFAULT {algorithm id-sha256},
//	    certHash      OCTET STRING,
//	    issuerSerial  IssuerSerial OPTIONAL }
//
// Only the SHA-256 default is produced and accepted, so the hash algorithm is
// absent from the encoding.
type ESSCertIDv2 struct {
	CertHash     []byte
	IssuerSerial IssuerSerial `asn1:"optional"`
}

// IssuerSerial is the issuer's name as a GeneralNames with one directoryName,
// and the serial number (RFC 5035 section 4).
type IssuerSerial struct {
	Issuer []asn1.RawValue
	Serial *big.Int
}

// NewSigningCertificateV2 returns the attribute value for cert.
func NewSigningCertificateV2(cert *x509.Certificate) SigningCertificateV2 {
	sum := sha256.Sum256(cert.Raw)
	return SigningCertificateV2{Certs: []ESSCertIDv2{{
		CertHash: sum[:],
		IssuerSerial: IssuerSerial{
			// directoryName [4] EXPLICIT Name (RFC 5280 section 4.2.1.6)
			Issuer: []asn1.RawValue{{Class: asn1.ClassContextSpecific, Tag: 4, IsCompound: true, Bytes: cert.RawIssuer}},
			Serial: cert.SerialNumber,
		},
	}}}
}

// Matches reports whether the attribute names cert as the first (signing)
// certificate, by SHA-256 hash and, when present, issuer and serial.
func (s SigningCertificateV2) Matches(cert *x509.Certificate) bool {
	if len(s.Certs) == 0 {
		return false
	}
	id := s.Certs[0]
	sum := sha256.Sum256(cert.Raw)
	if string(id.CertHash) != string(sum[:]) {
		return false
	}
	if id.IssuerSerial.Serial != nil && id.IssuerSerial.Serial.Cmp(cert.SerialNumber) != 0 {
		return false
	}
	return true
}
