"""The test suite's "internet": plain HTTP and HTTPS (with SNI) servers, one site per address.

Run inside a network namespace the test made: python3 fake_web.py CERT KEY ADDR=NAME ...
Every server answers GET with "site NAME", so a test can tell which site a request reached.
"""
import http.server
import socketserver
import ssl
import sys
import threading


def handler(site):
    class H(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, so a test can tell whether a second request got through

        def do_GET(self):
            body = ("site %s\n" % site).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass
    return H


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    cert, key = sys.argv[1], sys.argv[2]
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    for spec in sys.argv[3:]:
        addr, site = spec.split("=")
        for port, tls in ((80, False), (443, True), (8080, False)):
            s = Server((addr, port), handler(site))
            if tls:
                s.socket = ctx.wrap_socket(s.socket, server_side=True)
            threading.Thread(target=s.serve_forever, daemon=True).start()
    print("ready", flush=True)
    sys.stdin.read()  # runs until the test closes our stdin


main()
