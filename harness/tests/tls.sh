# Throwaway TLS material for tests (sourced): a CA and server certificates made with openssl at test time,
# in a folder of the test's own; nothing secret is committed. Needs openssl (Debian's, 3.0).
#   tls_ca DIR                      DIR/ca.pem, DIR/ca.key: a self-signed CA
#   tls_cert DIR NAME SAN [WHEN]    DIR/NAME.pem, DIR/NAME.key signed by DIR's CA, for SAN (e.g.
#                                   "IP:127.0.0.1,DNS:localhost"); WHEN "expired" makes one valid only in 2020
#   tls_self DIR NAME SAN           a self-signed server certificate (no CA)

tls_ca() {
    local d=$1
    mkdir -p "$d"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$d/ca.key" -out "$d/ca.pem" -days 2 \
        -subj "/CN=siocrypt test CA" -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
}

tls_cert() {
    local d=$1 name=$2 san=$3 when=${4:-}
    openssl req -newkey rsa:2048 -nodes -keyout "$d/$name.key" -out "$d/$name.csr" -subj "/CN=$name" 2>/dev/null
    printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' "$san" >"$d/$name.ext"
    if [ "$when" = expired ]; then
        # openssl 3.0's x509 cannot backdate; `openssl ca` takes explicit dates
        mkdir -p "$d/ca-db"
        : >"$d/ca-db/index.txt"
        printf '%s\n' 1000 >"$d/ca-db/serial"
        cat >"$d/ca-db/ca.cnf" <<CNF
[ca]
default_ca = test
[test]
database = $d/ca-db/index.txt
serial = $d/ca-db/serial
new_certs_dir = $d/ca-db
default_md = sha256
policy = any
copy_extensions = none
[any]
commonName = supplied
CNF
        openssl ca -batch -config "$d/ca-db/ca.cnf" -cert "$d/ca.pem" -keyfile "$d/ca.key" -in "$d/$name.csr" \
            -out "$d/$name.pem" -startdate 20200101000000Z -enddate 20200102000000Z -extfile "$d/$name.ext" \
            -notext 2>/dev/null
    else
        openssl x509 -req -in "$d/$name.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial \
            -out "$d/$name.pem" -days 2 -extfile "$d/$name.ext" 2>/dev/null
    fi
    [ -s "$d/$name.pem" ]
}

tls_self() {
    local d=$1 name=$2 san=$3
    mkdir -p "$d"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$d/$name.key" -out "$d/$name.pem" -days 2 \
        -subj "/CN=$name" -addext "subjectAltName=$san" 2>/dev/null
}
