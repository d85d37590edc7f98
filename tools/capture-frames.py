#!/usr/bin/env python3
"""Records the Kafka request frames a real client sends, for golden-byte protocol tests.

Usage: tools/capture-frames.py <listen-port> <broker-host:port> <out-dir> <client-name>
Listens on 127.0.0.1:<listen-port>, forwards to the broker, and writes each request frame (without
its length prefix) to <out-dir>/<client-name>-<ApiKey>-v<version>.bin, first frame of each kind only.
Clients must be pointed at the proxy and must not follow the broker's advertised address elsewhere,
so run it against a broker whose advertised listener is the proxy's port.
"""
import os, socket, struct, sys, threading

def pump(src, dst, record, out_dir, client):
    buf = b""
    seen = set()
    while True:
        data = src.recv(65536)
        if not data:
            break
        dst.sendall(data)
        if not record:
            continue
        buf += data
        while len(buf) >= 4:
            (n,) = struct.unpack(">i", buf[:4])
            if len(buf) < 4 + n:
                break
            frame, buf = buf[4:4 + n], buf[4 + n:]
            key, version = struct.unpack(">hh", frame[:4])
            name = f"{client}-{key}-v{version}.bin"
            if name not in seen and not os.path.exists(os.path.join(out_dir, name)):
                seen.add(name)
                with open(os.path.join(out_dir, name), "wb") as f:
                    f.write(frame)
    try:
        dst.shutdown(socket.SHUT_WR)
    except OSError:
        pass

def main():
    port, target, out_dir, client = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
    host, tport = target.rsplit(":", 1)
    os.makedirs(out_dir, exist_ok=True)
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", port))
    server.listen(64)
    while True:
        conn, _ = server.accept()
        upstream = socket.create_connection((host, int(tport)))
        threading.Thread(target=pump, args=(conn, upstream, True, out_dir, client), daemon=True).start()
        threading.Thread(target=pump, args=(upstream, conn, False, out_dir, client), daemon=True).start()

main()
