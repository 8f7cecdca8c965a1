#!/usr/bin/env bash
# api-walkthrough.sh: the whole bonsign /v1 API, step by step, with curl, openssl
# and jq against a running demo server (docs/api.md describes every call).
#
# Needs: bash, curl, openssl (1.1.1 or 3.x), jq (1.6 or later).
#
#   bin/bonsign-server demo -data /tmp/bonsign-demo      # in another terminal
#   BONSIGN_URL=https://127.0.0.1:PORT BONSIGN_DEMO_DIR=/tmp/bonsign-demo \
#       scripts/api-walkthrough.sh
#
# What it does, as the citizen 홍길동 of the demo and then as the institution
# 국민연금공단 (bs-pub-nps), whose API key the demo created:
#   1. GET  /v1/institutions                the recipient institutions (수요기관)
#   2. GET  /v1/receipt-certificate         the certificate that signs receipts
#   3. POST /v1/login/challenge             a single-use nonce
#   4. signs "bonsign-login:<nonce>" with the key in citizen.p12
#      (openssl cms -sign -binary -nodetach -md sha256 -outform DER)
#   5. POST /v1/login                       a session token
#   6. POST /v1/identity/code               the 6-digit code goes to the phone
#   7. POST /v1/identity/verify             the code, typed in by you (see below)
#   8. writes the confirmation in its canonical JSON (RFC 8785) and signs it
#   9. POST /v1/confirmations               the receipt (발급증) and the server's
#                                           signature over it, checked with openssl
#  10. POST /v1/confirmations again         same bytes, same receipt (idempotent)
#  11. POST /v1/verify                      the institution's lookup, API key
#  12. checks the citizen's signature the lookup returns with openssl cms -verify
#  13. POST /v1/logout
#
# The identity check code: the demo's phone gateway is an outbox inside the demo
# process (the desktop app shows it in its window; `bonsign-server demo` prints
# print it to its terminal: look there). So the script asks you for the code: it reads one line from
# standard input (with a prompt when that is a terminal). Pipe the code in to
# automate, or set BONSIGN_CODE if you know it before the script asks the server
# to send one (a test gateway with predictable codes; a real one draws a fresh
# code at step 6).
#
# Environment:
#   BONSIGN_URL            base URL of the server, without /v1 (required)
#   BONSIGN_CA             the server's TLS CA (default: tls-ca.pem of the demo directory)
#   BONSIGN_DEMO_DIR       the demo data directory: citizen.p12, demo.json, and ca.pem
#                          to check the citizen's signature at step 12 (required)
#   BONSIGN_P12_PASSWORD   password of citizen.p12 (default: demo1234!)
#   BONSIGN_API_KEY        institution API key (default: api_key in demo.json)
#   BONSIGN_INSTITUTION    institution code the confirmation goes to (default: bs-pub-nps);
#                          the API key must belong to it for step 11 to find it
#   BONSIGN_NAME, BONSIGN_RRN, BONSIGN_ADDRESS
#                          the citizen as approved (defaults: the demo citizen)
#   BONSIGN_CODE           the identity check code, instead of asking for it
#   BONSIGN_WORK           keep the intermediate files (requests, responses, CMS) here;
#                          by default they go to a temporary directory removed at exit
set -euo pipefail

for tool in curl openssl jq; do
	command -v "$tool" >/dev/null || { echo "api-walkthrough.sh: $tool is required" >&2; exit 1; }
done

: "${BONSIGN_URL:?set BONSIGN_URL to the server, e.g. https://127.0.0.1:41234}"
# The demo serves HTTPS with a private CA: trust it, and only it
# (BONSIGN_CA names another CA file).
tls=()
ca=${BONSIGN_CA:-${BONSIGN_DEMO_DIR:-}/tls-ca.pem}
if [[ $BONSIGN_URL == https://* && -f $ca ]]; then
	tls=(--cacert "$ca")
fi
: "${BONSIGN_DEMO_DIR:?set BONSIGN_DEMO_DIR to the demo data directory (citizen.p12, demo.json)}"
export BONSIGN_P12_PASSWORD="${BONSIGN_P12_PASSWORD:-demo1234!}"
url=${BONSIGN_URL%/}
p12=$BONSIGN_DEMO_DIR/citizen.p12
api_key=${BONSIGN_API_KEY:-$(jq -r .api_key "$BONSIGN_DEMO_DIR/demo.json")}
inst_code=${BONSIGN_INSTITUTION:-bs-pub-nps}
name=${BONSIGN_NAME:-홍길동}
rrn=${BONSIGN_RRN:-900101-1234568}
address=${BONSIGN_ADDRESS:-서울특별시 종로구 세종대로 209 (데모)}

umask 077
if [[ -n ${BONSIGN_WORK:-} ]]; then
	work=$BONSIGN_WORK
	mkdir -p "$work"
else
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
fi

step() { printf '\n== %s\n' "$*" >&2; }

# call METHOD PATH [BODY_FILE] [BEARER]: one API request. The response body goes
# to $work/response.json; an unexpected status prints the error body and stops.
call() {
	local method=$1 path=$2 body=${3:-} bearer=${4:-} status
	local args=(-sS -X "$method" -o "$work/response.json" -w '%{http_code}' -H 'Accept: application/json')
	[[ -n $bearer ]] && args+=(-H "Authorization: Bearer $bearer")
	[[ -n $body ]] && args+=(-H 'Content-Type: application/json' --data-binary "@$body")
	status=$(curl "${tls[@]}" "${args[@]}" "$url$path")
	echo "$method $path -> HTTP $status" >&2
	case $status in
	2??) ;;
	*)
		jq . "$work/response.json" >&2 || cat "$work/response.json" >&2
		exit 1
		;;
	esac
	last_status=$status
}

# sign IN OUT: CMS SignedData (DER) over the exact bytes of IN, content attached,
# SHA-256, signed attributes, the signer's certificate included.
sign() {
	openssl cms -sign -binary -nodetach -md sha256 \
		-in "$1" -signer "$work/cert.pem" -inkey "$work/key.pem" -outform DER -out "$2"
}

b64() { openssl base64 -A -in "$1"; }

step "1. GET /v1/institutions"
call GET /v1/institutions
jq -r '.institutions[] | "  \(.code)\t\(.name)"' "$work/response.json" >&2
# The confirmation must name the institution exactly as the directory does.
inst_name=$(jq -r --arg c "$inst_code" '.institutions[] | select(.code == $c) | .name' "$work/response.json")
[[ -n $inst_name ]] || { echo "institution $inst_code is not in the directory" >&2; exit 1; }

step "2. GET /v1/receipt-certificate"
# A client pins this certificate at first contact and checks every receipt
# signature against it.
call GET /v1/receipt-certificate
jq -r .certificate "$work/response.json" | openssl base64 -d -A | openssl x509 -inform DER -out "$work/receipt-cert.pem"
openssl x509 -in "$work/receipt-cert.pem" -noout -subject -enddate -nameopt utf8,sep_comma_plus >&2

step "3. POST /v1/login/challenge"
call POST /v1/login/challenge
nonce=$(jq -r .nonce "$work/response.json")
echo "  nonce $nonce, expires $(jq -r .expires_at "$work/response.json")" >&2

step "4. sign bonsign-login:<nonce> with the certificate in $p12"
# The private key is written unencrypted (-nodes) into the work directory,
# readable by you only, and removed at exit unless BONSIGN_WORK is set.
openssl pkcs12 -in "$p12" -passin env:BONSIGN_P12_PASSWORD -nodes -clcerts -nokeys -out "$work/cert.pem"
openssl pkcs12 -in "$p12" -passin env:BONSIGN_P12_PASSWORD -nodes -nocerts -out "$work/key.pem"
openssl x509 -in "$work/cert.pem" -noout -subject -enddate -nameopt utf8,sep_comma_plus >&2
printf 'bonsign-login:%s' "$nonce" >"$work/login.txt" # no newline: the exact bytes
sign "$work/login.txt" "$work/login.p7s"

step "5. POST /v1/login"
jq -n --arg nonce "$nonce" --arg sig "$(b64 "$work/login.p7s")" \
	'{nonce: $nonce, signature: $sig}' >"$work/login.json"
call POST /v1/login "$work/login.json"
token=$(jq -r .token "$work/response.json")
jq '.token = "(hidden)"' "$work/response.json" >&2

step "6. POST /v1/identity/code"
call POST /v1/identity/code "" "$token"
jq . "$work/response.json" >&2

step "7. POST /v1/identity/verify"
code=${BONSIGN_CODE:-}
if [[ -z $code ]]; then
	if [[ -t 0 ]]; then
		printf 'Enter the 6-digit code sent to %s: ' "$(jq -r .phone "$work/response.json")" >&2
	fi
	read -r code || { echo "no code given" >&2; exit 1; }
fi
jq -n --arg code "$code" '{code: $code}' >"$work/code.json"
call POST /v1/identity/verify "$work/code.json" "$token"

step "8. write the confirmation (canonical JSON) and sign it"
# jq -S -c sorts the keys of every object and prints no whitespace. For an object
# whose values are all strings or objects (no numbers) and whose strings hold no
# control characters, this is exactly RFC 8785: jq and RFC 8785 both write other
# characters as themselves (UTF-8) and escape only " and \, and the keys here are
# ASCII, so code-point order equals RFC 8785's UTF-16 order. The server refuses
# control characters in every field anyway. -j drops the final newline: the
# signed bytes must be the canonical JSON and nothing else.
id=$(openssl rand -hex 16)                               # 32 lower-case hex digits
created_at=$(TZ=KST-9 date '+%Y-%m-%dT%H:%M:%S+09:00')   # now, in Korea (POSIX TZ: UTC+9)
jq -n -S -c -j \
	--arg id "$id" --arg created_at "$created_at" \
	--arg name "$name" --arg rrn "$rrn" --arg address "$address" \
	--arg inst_code "$inst_code" --arg inst_name "$inst_name" \
	'{
		version: "bonsign-confirmation/1",
		id: $id,
		created_at: $created_at,
		citizen: {name: $name, rrn: $rrn, address: $address},
		purpose: "부동산 매도 (API walkthrough)",
		counterparty: {name: "주식회사 데모부동산", id: "123-45-67891", address: "서울특별시 중구 세종대로 110"},
		delegate: {name: "김대리", rrn: "850315-2345678", address: "서울특별시 마포구 월드컵북로 400"},
		institution: {code: $inst_code, name: $inst_name}
	}' >"$work/confirmation.json"
cat "$work/confirmation.json" >&2
echo >&2
sign "$work/confirmation.json" "$work/confirmation.p7s"

step "9. POST /v1/confirmations"
# The body carries the confirmation as a JSON object (any key order or spacing:
# the server canonicalises it again and compares with what was signed).
jq -n --slurpfile c "$work/confirmation.json" --arg sig "$(b64 "$work/confirmation.p7s")" \
	'{confirmation: $c[0], signature: $sig}' >"$work/issue.json"
call POST /v1/confirmations "$work/issue.json" "$token"
[[ $last_status == 201 ]] || { echo "expected 201 Created for a new confirmation" >&2; exit 1; }
cp "$work/response.json" "$work/receipt.json"
jq '.receipt_signature |= (.[0:24] + "...")' "$work/receipt.json"
issue_number=$(jq -r .receipt.issue_number "$work/receipt.json")
# The receipt's digest is the SHA-256 of the CMS we sent.
digest=$(openssl dgst -sha256 -r "$work/confirmation.p7s" | cut -d' ' -f1)
[[ $digest == "$(jq -r .receipt.digest "$work/receipt.json")" ]] || { echo "receipt digest differs from SHA-256 of our CMS" >&2; exit 1; }
# receipt_signature is the server's detached CMS over the receipt's canonical
# JSON, made with the key of the receipt certificate from step 2.
jq -S -c -j .receipt "$work/receipt.json" >"$work/receipt-canonical.json"
jq -r .receipt_signature "$work/receipt.json" | openssl base64 -d -A >"$work/receipt.p7s"
openssl cms -verify -binary -inform DER -in "$work/receipt.p7s" -content "$work/receipt-canonical.json" \
	-CAfile "$work/receipt-cert.pem" -out /dev/null 2>&1 | sed 's/^/  receipt signature: /' >&2

step "10. POST /v1/confirmations again (same signed bytes)"
call POST /v1/confirmations "$work/issue.json" "$token"
[[ $last_status == 200 && $(jq -r .receipt.issue_number "$work/response.json") == "$issue_number" ]] ||
	{ echo "a resubmission should return the same receipt with 200" >&2; exit 1; }
echo "  same receipt: $issue_number" >&2

step "11. POST /v1/verify as $inst_code"
jq -n --arg n "$issue_number" --arg name "$name" '{issue_number: $n, name: $name}' >"$work/verify.json"
call POST /v1/verify "$work/verify.json" "$api_key"
cp "$work/response.json" "$work/verified.json"
jq '.signature |= (.[0:24] + "...") | .receipt_signature |= (.[0:24] + "...")' "$work/verified.json"

step "12. check the returned signature as an institution would"
jq -r .signature "$work/verified.json" | openssl base64 -d -A >"$work/returned.p7s"
jq -S -c -j .confirmation "$work/verified.json" >"$work/returned.json"
cmp -s "$work/returned.json" "$work/confirmation.json" || { echo "the returned confirmation differs from the signed one" >&2; exit 1; }
if [[ -f $BONSIGN_DEMO_DIR/ca.pem ]]; then
	openssl cms -verify -binary -inform DER -in "$work/returned.p7s" -CAfile "$BONSIGN_DEMO_DIR/ca.pem" \
		-out "$work/returned-content.json" 2>&1 | sed 's/^/  /' >&2
	cmp -s "$work/returned-content.json" "$work/returned.json" ||
		{ echo "the signed content is not the canonical JSON of the returned confirmation" >&2; exit 1; }
	echo "  the CMS verifies against ca.pem and its content is the confirmation's canonical JSON" >&2
fi
# The lookup's receipt comes with a fresh server signature too.
jq -S -c -j .receipt "$work/verified.json" >"$work/returned-receipt.json"
jq -r .receipt_signature "$work/verified.json" | openssl base64 -d -A >"$work/returned-receipt.p7s"
openssl cms -verify -binary -inform DER -in "$work/returned-receipt.p7s" -content "$work/returned-receipt.json" \
	-CAfile "$work/receipt-cert.pem" -out /dev/null 2>&1 | sed 's/^/  receipt signature: /' >&2

step "13. POST /v1/logout"
call POST /v1/logout "" "$token"

echo >&2
echo "issue number $issue_number: issued to $name for $inst_name, verified by $inst_code" >&2
