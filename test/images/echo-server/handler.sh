#!/bin/sh
# shellcheck disable=SC3045 # read -t: this runs under busybox ash, which has it
# One HTTP/1.1 exchange for the timboring/echo-server stand-in; installed in
# the image as /bin/handler. busybox `nc -ll -e /bin/handler` runs it once per
# connection with the socket on stdin and stdout.
#
#   POST /            -> 200, the request body echoed back (application/json)
#   GET  /health      -> 200 {"status":"ok"}
#   GET  /healthfail  -> 500 {"status":"fail"}
#   anything else     -> 404 {"error":"not found"}
#
# Every response has Content-Length and "Connection: close", and the
# connection is closed after it (no keep-alive), which curl and Node's fetch
# both accept. The shell's `read` takes the socket one byte at a time, so it
# never consumes any of the body; `head -c` then reads exactly the body.

set -f # no globbing when splitting header values
CR=$(printf '\r')

# reply STATUS BODY: a complete response with a small JSON body.
reply() {
  printf 'HTTP/1.1 %s\r\nContent-Type: application/json\r\nContent-Length: %s\r\nConnection: close\r\n\r\n%s' \
    "$1" "${#2}" "$2"
}

# Request line, e.g. "POST /?x=1 HTTP/1.1". Give up on silent clients.
IFS= read -r -t 10 line || exit 0
line=${line%"$CR"}
method=${line%% *}
target=${line#* }
target=${target%% *}
path=${target%%\?*}

# Headers, up to the empty line.
length=0
expect=
chunked=
while IFS= read -r -t 10 header; do
  header=${header%"$CR"}
  [ -z "$header" ] && break
  value=${header#*:}
  case ${header%%:*} in
  [Cc][Oo][Nn][Tt][Ee][Nn][Tt]-[Ll][Ee][Nn][Gg][Tt][Hh])
    # shellcheck disable=SC2086 # split on blanks to trim the value
    set -- $value
    length=${1:-0}
    ;;
  [Ee][Xx][Pp][Ee][Cc][Tt])
    case $value in *100-[Cc][Oo][Nn][Tt][Ii][Nn][Uu][Ee]*) expect=1 ;; esac
    ;;
  [Tt][Rr][Aa][Nn][Ss][Ff][Ee][Rr]-[Ee][Nn][Cc][Oo][Dd][Ii][Nn][Gg])
    case $value in *[Cc][Hh][Uu][Nn][Kk][Ee][Dd]*) chunked=1 ;; esac
    ;;
  esac
done

case $length in
'' | *[!0-9]*)
  reply '400 Bad Request' '{"error":"bad Content-Length"}'
  exit 0
  ;;
esac
if [ -n "$chunked" ]; then
  reply '411 Length Required' '{"error":"send a Content-Length, not a chunked body"}'
  exit 0
fi

# curl sends "Expect: 100-continue" before large bodies and waits for this.
if [ -n "$expect" ] && [ "$length" -gt 0 ]; then
  printf 'HTTP/1.1 100 Continue\r\n\r\n'
fi

if [ "$method $path" = 'POST /' ]; then
  printf 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %s\r\nConnection: close\r\n\r\n' "$length"
  if [ "$length" -gt 0 ]; then
    head -c "$length"
  fi
  exit 0
fi

# Read any body we do not use, so closing the socket does not reset it
# before the client has read the response.
if [ "$length" -gt 0 ]; then
  head -c "$length" >/dev/null
fi

case "$method $path" in
'GET /health') reply '200 OK' '{"status":"ok"}' ;;
'GET /healthfail') reply '500 Internal Server Error' '{"status":"fail"}' ;;
*) reply '404 Not Found' '{"error":"not found"}' ;;
esac
