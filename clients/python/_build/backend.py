"""A PEP 517 build backend with the standard library only: builds the wheel (and an sdist) of the
`baton` package straight from this folder. The metadata lives here, mirrored in pyproject.toml."""

import base64
import hashlib
import io
import os
import tarfile
import zipfile

NAME = "baton_client"
VERSION = "0.1.0"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE = "baton"
METADATA = """Metadata-Version: 2.1
Name: baton-client
Version: %s
Summary: Python client, worker and command line for the Baton task coordination server
Requires-Python: >=3.9
""" % VERSION
ENTRY_POINTS = "[console_scripts]\nbaton = baton.cli:main\n"
WHEEL = "Wheel-Version: 1.0\nGenerator: baton-backend\nRoot-Is-Purelib: true\nTag: py3-none-any\n"


def _package_files():
    base = os.path.join(ROOT, PACKAGE)
    return sorted(os.path.join(PACKAGE, f) for f in os.listdir(base) if f.endswith(".py"))


def _digest(data):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def get_requires_for_build_editable(config_settings=None):
    return []


def _write_dist_info(directory):
    dist_info = "%s-%s.dist-info" % (NAME, VERSION)
    os.makedirs(os.path.join(directory, dist_info), exist_ok=True)
    for name, text in (("METADATA", METADATA), ("entry_points.txt", ENTRY_POINTS), ("WHEEL", WHEEL)):
        with open(os.path.join(directory, dist_info, name), "w") as f:
            f.write(text)
    return dist_info


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    return _write_dist_info(metadata_directory)


prepare_metadata_for_build_editable = prepare_metadata_for_build_wheel


def _wheel(wheel_directory, members):
    """members: (archive name, bytes) of the package part; dist-info is added here."""
    dist_info = "%s-%s.dist-info" % (NAME, VERSION)
    members = list(members) + [("%s/METADATA" % dist_info, METADATA.encode()),
                               ("%s/entry_points.txt" % dist_info, ENTRY_POINTS.encode()),
                               ("%s/WHEEL" % dist_info, WHEEL.encode())]
    record = "".join("%s,%s,%d\n" % (n, _digest(d), len(d)) for n, d in members) + "%s/RECORD,,\n" % dist_info
    filename = "%s-%s-py3-none-any.whl" % (NAME, VERSION)
    with zipfile.ZipFile(os.path.join(wheel_directory, filename), "w", zipfile.ZIP_DEFLATED) as whl:
        for n, d in members:
            whl.writestr(n, d)
        whl.writestr("%s/RECORD" % dist_info, record)
    return filename


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    members = []
    for rel in _package_files():
        with open(os.path.join(ROOT, rel), "rb") as f:
            members.append((rel.replace(os.sep, "/"), f.read()))
    return _wheel(wheel_directory, members)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    return _wheel(wheel_directory, [("%s.pth" % NAME, (ROOT + "\n").encode())])


def build_sdist(sdist_directory, config_settings=None):
    base = "%s-%s" % (NAME, VERSION)
    filename = base + ".tar.gz"
    with tarfile.open(os.path.join(sdist_directory, filename), "w:gz") as tar:
        for rel in ["pyproject.toml", os.path.join("_build", "backend.py")] + _package_files():
            tar.add(os.path.join(ROOT, rel), arcname=os.path.join(base, rel))
        info = tarfile.TarInfo(os.path.join(base, "PKG-INFO"))
        data = METADATA.encode()
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return filename
