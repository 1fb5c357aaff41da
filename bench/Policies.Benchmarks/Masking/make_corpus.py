#!/usr/bin/env python3
"""Writes the masking benchmark corpora: realistic mixed text (service logs, JSON rows, Kubernetes manifests,
process tables) with nothing to mask, and the same kinds of text dense with values to mask. Deterministic."""
import json
import random

rng = random.Random(20240501)
HEX = "0123456789abcdef"


def hexid(n):
    return "".join(rng.choice(HEX) for _ in range(n))


def uuid():
    return f"{hexid(8)}-{hexid(4)}-4{hexid(3)}-a{hexid(3)}-{hexid(12)}"


def ts():
    return f"2024-05-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}.{rng.randint(0, 999):03d}Z"


def log_line():
    method = rng.choice(["GET", "POST", "PUT", "DELETE"])
    path = rng.choice(["/api/v1/orders/", "/api/v2/items/", "/healthz", "/metrics", "/api/v1/users/"]) + str(rng.randint(1, 99999))
    return (f"{ts()} {rng.choice(['INFO ', 'DEBUG', 'WARN '])} [req-{hexid(8)}] {method} {path} {rng.choice([200, 201, 204, 404, 500])} "
            f"{rng.uniform(0.1, 900):.1f}ms bytes={rng.randint(0, 90000)} user_id={rng.randint(1, 99999)} trace={hexid(32)} "
            f"pod=api-{hexid(9)}-{hexid(5)} version=1.{rng.randint(0, 30)}.{rng.randint(0, 9)}")


def json_row():
    return json.dumps({
        "id": rng.randint(1, 10 ** 6), "uuid": uuid(), "status": rng.choice(["shipped", "pending", "cancelled"]),
        "amount": round(rng.uniform(1, 5000), 2), "currency": "EUR", "created_at": ts(), "sku": f"SKU-{rng.randint(10000, 99999)}",
        "qty": rng.randint(1, 20), "weight_kg": round(rng.uniform(0.1, 30), 3), "max_tokens": 512, "token_type": "bearer",
    })


def manifest():
    name = rng.choice(["api", "worker", "billing", "search"])
    return f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: prod
  labels:
    app.kubernetes.io/name: {name}
    app.kubernetes.io/version: "2.{rng.randint(0, 40)}.{rng.randint(0, 9)}"
spec:
  replicas: {rng.randint(1, 12)}
  template:
    spec:
      containers:
        - name: {name}
          image: registry.example.internal/{name}:2.{rng.randint(0, 40)}.{rng.randint(0, 9)}@sha256:{hexid(64)}
          resources:
            limits: {{cpu: "{rng.randint(1, 8)}", memory: {rng.randint(128, 4096)}Mi}}
          env:
            - name: LOG_LEVEL
              value: info
            - name: DB_PASSWORD
              valueFrom:
                secretKeyRef: {{name: {name}-db, key: password}}
          ports:
            - containerPort: {rng.randint(1024, 9999)}"""


def ps_line():
    return (f"{rng.randint(1, 65535):>6} app      {rng.uniform(0, 99):4.1f} {rng.uniform(0, 40):4.1f} {rng.randint(10000, 9000000):>8} "
            f"{rng.randint(1000, 900000):>7} ?  Ssl  {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}   {rng.randint(0, 900)}:{rng.randint(0, 59):02d} "
            f"/usr/bin/dotnet /app/Service.dll --urls http://0.0.0.0:{rng.randint(1024, 9999)}  load average: {rng.uniform(0, 4):.2f}, {rng.uniform(0, 4):.2f}, {rng.uniform(0, 4):.2f}")


def luhn_card(prefix, length):
    digits = [int(c) for c in prefix] + [rng.randint(0, 9) for _ in range(length - len(prefix) - 1)]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 0:
            d *= 2
            d -= 9 if d > 9 else 0
        total += d
    return "".join(map(str, digits)) + str((10 - total % 10) % 10)


def pii_line():
    name = rng.choice(["alice", "bob", "carol", "dave", "erin"]) + str(rng.randint(1, 999))
    card = luhn_card(rng.choice(["4", "51", "37", "6011"]), 16 if True else 15)
    kinds = [
        f"{ts()} INFO login ok email={name}@example.com phone=+1 415 555 {rng.randint(1000, 9999)} ip=10.0.{rng.randint(0, 255)}.{rng.randint(0, 255)}",
        f"{ts()} WARN payment card {card[:4]} {card[4:8]} {card[8:12]} {card[12:]} declined for {name}@mail.example.org",
        json.dumps({"id": rng.randint(1, 10 ** 6), "email": f"{name}@example.net", "ssn": f"{rng.randint(100, 665)}-{rng.randint(10, 99)}-{rng.randint(1000, 9999)}",
                    "phone": f"(415) 555-{rng.randint(1000, 9999)}", "password": hexid(12), "created_at": ts()}),
        f"{ts()} DEBUG connecting postgres://app:{hexid(10)}@db-{rng.randint(1, 9)}.internal:5432/orders token=ghp_{hexid(36)}",
        f"{ts()} ERROR upstream said Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI{hexid(20)}.{hexid(43)}",
        f"aws_access_key_id = AKIA{''.join(rng.choice('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567') for _ in range(16))} iban DE89370400440532013000 slack xoxb-{rng.randint(10 ** 9, 10 ** 10)}-{hexid(24)}",
    ]
    return rng.choice(kinds)


def build(target, make_line):
    lines, size = [], 0
    while size < target:
        line = make_line()
        lines.append(line)
        size += len(line) + 1
    return "\n".join(lines) + "\n"


def clean_line():
    return rng.choice([log_line, log_line, log_line, json_row, json_row, ps_line, manifest])()


def dense_line():
    return rng.choice([pii_line, pii_line, log_line, json_row])()


with open("corpus-clean.txt", "w", encoding="utf-8", newline="\n") as f:
    f.write(build(512 * 1024, clean_line))
with open("corpus-pii.txt", "w", encoding="utf-8", newline="\n") as f:
    f.write(build(256 * 1024, dense_line))
