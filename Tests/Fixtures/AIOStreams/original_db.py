#!/usr/bin/env python3
"""An original AIOStreams database for the import tests, written the way the
original writes it (github.com/Viren070/AIOStreams, packages/core/src/):

* schema: db/migrations/0001_baseline.ts (users) and 0004_user_indexes.ts;
* password_hash: bcrypt cost 10 (utils/crypto.ts getTextHash; here libxcrypt's
  crypt_gensalt("$2b$", 10) + crypt, the same format the npm bcrypt writes);
* config_salt: deriveKey's genSalt(10), a bcrypt salt string;
* config: encryptString(JSON.stringify(config), key) with
  key = PBKDF2-HMAC-SHA512(password + ":" + SECRET_KEY, Buffer.from(config_salt, 'hex'),
  100000, 32) (db/repositories/users.ts encryptConfig); zlib deflate level 9,
  AES-256-CBC/PKCS#7 with a random IV, base64url(JSON {"i","e","t":"a"}) unpadded.

The original's encryptedPassword token (utils/crypto.ts encryptString of the
password under Buffer.from(SECRET_KEY, 'hex')): --token prints one for
{"secretKey", "password"}.

Usage: original_db.py (--sqlite PATH | --sql | --token) < SPEC.json
SPEC: {"secretKey": HEX64,
       "rows": [{"uuid", "password", "config": {...}, "created_at"?, "accessed_at"?}
                | {"raw": {"uuid", "password_hash", "config", "config_salt", "created_at"?}}]}
--sql prints a script for psql (the PostgreSQL flavour of the same schema).
"""
import base64
import ctypes
import hashlib
import json
import os
import sqlite3
import sys
import zlib

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

SQLITE_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
  uuid TEXT PRIMARY KEY,
  password_hash TEXT NOT NULL,
  config TEXT NOT NULL,
  config_salt TEXT NOT NULL,
  created_at TIMESTAMP DEFAULT (CURRENT_TIMESTAMP),
  updated_at TIMESTAMP DEFAULT (CURRENT_TIMESTAMP),
  accessed_at TIMESTAMP DEFAULT (CURRENT_TIMESTAMP)
);
CREATE TABLE IF NOT EXISTS distributed_locks (key TEXT PRIMARY KEY, owner TEXT NOT NULL, expires_at BIGINT NOT NULL, result TEXT);
CREATE TABLE IF NOT EXISTS cache (key TEXT PRIMARY KEY, value TEXT NOT NULL, expires_at BIGINT NOT NULL,
  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, last_accessed TIMESTAMP DEFAULT CURRENT_TIMESTAMP);
CREATE INDEX IF NOT EXISTS idx_users_created_at  ON users (created_at);
CREATE INDEX IF NOT EXISTS idx_users_accessed_at ON users (accessed_at);
"""

POSTGRES_SCHEMA = SQLITE_SCHEMA.replace("DEFAULT (CURRENT_TIMESTAMP)", "DEFAULT CURRENT_TIMESTAMP")

_libcrypt = ctypes.CDLL("libcrypt.so.1")
_libcrypt.crypt_gensalt.restype = ctypes.c_char_p
_libcrypt.crypt_gensalt.argtypes = [ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p, ctypes.c_int]
_libcrypt.crypt.restype = ctypes.c_char_p
_libcrypt.crypt.argtypes = [ctypes.c_char_p, ctypes.c_char_p]


def bcrypt_salt():
    return _libcrypt.crypt_gensalt(b"$2b$", 10, None, 0).decode()


def bcrypt(password, salt=None):
    return _libcrypt.crypt(password.encode(), (salt or bcrypt_salt()).encode()).decode()


def node_hex(text):
    """Buffer.from(text, 'hex'): pairs decoded until the first non-hex pair."""
    out = bytearray()
    digits = "0123456789abcdefABCDEF"
    i = 0
    while i + 1 < len(text) and text[i] in digits and text[i + 1] in digits:
        out.append(int(text[i:i + 2], 16))
        i += 2
    return bytes(out)


def derive_key(password, secret_key, config_salt):
    return hashlib.pbkdf2_hmac("sha512", f"{password}:{secret_key}".encode(), node_hex(config_salt), 100000, 32)


def encrypt_string(text, key):
    compressed = zlib.compress(text.encode(), 9)
    iv = os.urandom(16)
    padder = padding.PKCS7(128).padder()
    padded = padder.update(compressed) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    ct = encryptor.update(padded) + encryptor.finalize()
    envelope = json.dumps({"i": base64.b64encode(iv).decode(), "e": base64.b64encode(ct).decode(), "t": "a"},
                          separators=(",", ":"))
    return base64.urlsafe_b64encode(envelope.encode()).decode().rstrip("=")


def make_row(spec, secret_key):
    if "raw" in spec:
        return spec["raw"]
    salt = bcrypt_salt()
    config = json.dumps(spec["config"], separators=(",", ":"))
    row = {
        "uuid": spec["uuid"],
        "password_hash": bcrypt(spec["password"]),
        "config": encrypt_string(config, derive_key(spec["password"], secret_key, salt)),
        "config_salt": salt,
    }
    for k in ("created_at", "accessed_at"):
        if k in spec:
            row[k] = spec[k]
    return row


COLUMNS = ["uuid", "password_hash", "config", "config_salt", "created_at", "accessed_at"]


def main():
    spec = json.load(sys.stdin)
    if sys.argv[1:2] == ["--token"]:
        print(encrypt_string(spec["password"], node_hex(spec["secretKey"])))
        return
    rows = [make_row(r, spec["secretKey"]) for r in spec["rows"]]
    if sys.argv[1:2] == ["--sqlite"]:
        db = sqlite3.connect(sys.argv[2])
        db.executescript(SQLITE_SCHEMA)
        for row in rows:
            cols = [c for c in COLUMNS if c in row]
            db.execute(f"INSERT INTO users ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})", [row[c] for c in cols])
        db.commit()
        db.execute("PRAGMA journal_mode = WAL")
        db.close()
    elif sys.argv[1:2] == ["--sql"]:
        def literal(v):
            return "NULL" if v is None else "'" + str(v).replace("'", "''") + "'"
        out = [POSTGRES_SCHEMA]
        for row in rows:
            cols = [c for c in COLUMNS if c in row]
            out.append(f"INSERT INTO users ({', '.join(cols)}) VALUES ({', '.join(literal(row[c]) for c in cols)});")
        print("\n".join(out))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
