# A throwaway RFC 3161 timestamp authority for tests, built with `openssl ts`.
#
# Source it, then: `tsa_make DIR KIND` writes a CA, a TSA certificate with the
# critical timeStamping extended key usage signed by that CA, and an
# `openssl ts` configuration into DIR (KIND is ec or rsa); `tsa_start DIR`
# serves it on a free loopback port (its URL in $TSA_URL, its pid in
# $TSA_PID); `tsa_stop PID` stops it.

tsa_make() {
    local dir=$1 kind=${2:-ec}
    mkdir -p "$dir"
    local key=(-newkey ec -pkeyopt ec_paramgen_curve:P-256)
    [ "$kind" = rsa ] && key=(-newkey rsa:2048)
    openssl req -x509 -nodes "${key[@]}" -keyout "$dir/ca.key" -out "$dir/ca.pem" \
        -days 2 -subj "/CN=Test timestamp CA $kind" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign" 2>/dev/null
    openssl req -new -nodes "${key[@]}" -keyout "$dir/tsa.key" -out "$dir/tsa.csr" \
        -subj "/CN=Test timestamp authority $kind" 2>/dev/null
    printf '%s\n' "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature" \
        "extendedKeyUsage=critical,timeStamping" >"$dir/tsa.ext"
    openssl x509 -req -in "$dir/tsa.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
        -CAcreateserial -days 2 -extfile "$dir/tsa.ext" -out "$dir/tsa.pem" 2>/dev/null
    echo 01 >"$dir/serial"
    cat >"$dir/tsa.cnf" <<CNF
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
dir = $dir
serial = \$dir/serial
crypto_device = builtin
signer_cert = \$dir/tsa.pem
certs = \$dir/ca.pem
signer_key = \$dir/tsa.key
signer_digest = sha256
default_policy = 1.3.6.1.4.1.4146.2.3
other_policies = 1.3.6.1.4.1.4146.2.2
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = no
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
CNF
}

tsa_start() {
    local dir=$1 python=${2:-python3}
    rm -f "$dir/port"
    "$python" "$(dirname "${BASH_SOURCE[0]}")/server.py" "$dir/port" "$dir/tsa.cnf" &
    TSA_PID=$!
    for _ in $(seq 100); do [ -s "$dir/port" ] && break; sleep 0.1; done
    [ -s "$dir/port" ] || { echo "tsa: the server did not start" >&2; return 1; }
    TSA_URL="http://127.0.0.1:$(cat "$dir/port")/"
}

tsa_stop() {
    [ -n "${1:-}" ] || return 0
    kill "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}
