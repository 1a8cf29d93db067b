"""moto in server mode for the tests, with one change: mutating requests are serialised.

moto's threaded server checks a conditional PUT (`If-None-Match: *`) and stores the object in two
steps without a lock, so two concurrent create-only puts of one key can both succeed — which real S3
never allows. Holding one lock around every PUT/POST/DELETE restores S3's atomic conditional writes;
reads stay concurrent.
"""
import argparse
import threading

from werkzeug.serving import run_simple

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app

_WRITE_LOCK = threading.Lock()


class SerialisedWrites:
    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") in ("PUT", "POST", "DELETE"):
            with _WRITE_LOCK:
                # Consume the whole response inside the lock so the write is complete when it is released.
                return list(self.app(environ, start_response))
        return self.app(environ, start_response)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, required=True)
    args = parser.parse_args()
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(args.host, args.port, SerialisedWrites(app), threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
