"""The live-view page, served over plain HTTP on the WebSocket port.

The files in ``web/`` (``index.html``, ``app.js``: plain HTML and JavaScript, no build step, no
CDN, so the page works offline) are read once and answered to any ``GET`` that is not a
WebSocket upgrade; ``/skeleton.js`` is generated from the package's keypoint tables (part
names and bones, ``posenet.keypoints``), so the page never keeps a copy of them. Other paths get
404. The page connects back to the same host and port.
"""

from dataclasses import dataclass
import email.utils
from http import HTTPStatus
from importlib import resources
import json
from typing import Final

from websockets.datastructures import Headers
from websockets.http11 import Request, Response

from ros2_posenet.posenet import CONNECTED_PART_NAMES, PART_NAMES

WEB_PACKAGE: Final[str] = 'ros2_posenet.bridges'
WEB_FILES: Final[dict[str, tuple[str, str]]] = {
    '/': ('index.html', 'text/html; charset=utf-8'),
    '/index.html': ('index.html', 'text/html; charset=utf-8'),
    '/app.js': ('app.js', 'text/javascript; charset=utf-8'),
}
"""URL path -> (file in ``web/``, content type)."""
SKELETON_PATH: Final[str] = '/skeleton.js'


def skeleton_script() -> bytes:
    """Return the script defining ``window.POSENET_SKELETON`` = {parts, bones} for the page."""
    table = {'parts': list(PART_NAMES), 'bones': [list(bone) for bone in CONNECTED_PART_NAMES]}
    return (f'// generated from ros2_posenet.posenet.keypoints\n'
            f'window.POSENET_SKELETON = {json.dumps(table)};\n').encode()


@dataclass(frozen=True)
class WebPage:
    """The page's files, by URL path: (content type, body)."""

    files: dict[str, tuple[str, bytes]]

    @classmethod
    def load(cls) -> 'WebPage':
        """Read the installed ``web/`` files.

        Raises:
            FileNotFoundError: The package was installed without its ``web/`` data files.
        """
        folder = resources.files(WEB_PACKAGE) / 'web'
        files = {path: (content_type, (folder / name).read_bytes())
                 for path, (name, content_type) in WEB_FILES.items()}
        files[SKELETON_PATH] = ('text/javascript; charset=utf-8', skeleton_script())
        return cls(files)

    def respond(self, request: Request) -> Response:
        """Return the HTTP response to a plain (non-WebSocket) request."""
        path = request.path.split('?', 1)[0]
        entry = self.files.get(path)
        if entry is None:
            return _response(HTTPStatus.NOT_FOUND, 'text/plain; charset=utf-8',
                             f'not found: {path}\n'.encode())
        content_type, body = entry
        return _response(HTTPStatus.OK, content_type, body)


def is_websocket_upgrade(request: Request) -> bool:
    """Return whether the request asks for a WebSocket (else it is a page request)."""
    return 'websocket' in request.headers.get('Upgrade', '').lower()


def _response(status: HTTPStatus, content_type: str, body: bytes) -> Response:
    headers = Headers([
        ('Date', email.utils.formatdate(usegmt=True)),
        ('Connection', 'close'),
        ('Content-Type', content_type),
        ('Content-Length', str(len(body))),
        ('Cache-Control', 'no-store'),
    ])
    return Response(status.value, status.phrase, headers, body)
