# Origin for bench/scripts/burst.sh: every GET waits 0.5 s, then sends SIZE bytes of a PNG-headed
# body with Content-Length. Usage: burst-origin.py PORT [SIZE]
import os, sys, time, threading
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler
SIZE = int(sys.argv[2]) if len(sys.argv) > 2 else 15 * 1024 * 1024
BODY = b'\x89PNG\r\n\x1a\n' + os.urandom(SIZE - 8)
class H(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    def do_GET(self):
        time.sleep(0.5)
        self.send_response(200)
        self.send_header('Content-Type', 'image/png')
        self.send_header('Content-Length', str(len(BODY)))
        self.send_header('Cache-Control', 'public, max-age=3600')
        self.end_headers()
        try:
            view = memoryview(BODY)
            for i in range(0, len(BODY), 1 << 20):
                self.wfile.write(view[i:i + (1 << 20)])
        except Exception:
            pass
    def log_message(self, *a):
        pass
ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer(('127.0.0.1', int(sys.argv[1])), H).serve_forever()
