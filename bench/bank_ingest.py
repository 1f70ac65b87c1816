"""Statement reading speed and memory, per format, at growing sizes.

    python -m bench.bank_ingest                  # every format at 1k, 10k, 100k transactions
    python -m bench.bank_ingest --ofxparse 20161 # also compare with plain ofxparse.OfxParser
    python -m bench.bank_ingest --sizes 0 --whole 20161  # only the whole-command pair

`--whole N` times two whole processes on the same N-transaction OFX file, in the same
run: `arbridge bank read FILE --format csv` and `python -c 'ofxparse.OfxParser.parse(...)'`
(start-up, read and, for ours, CSV out), each the best of three, wall and CPU seconds.

For each file it prints the reader in-process (wall and CPU seconds, transactions/s,
peak traced Python memory) and the whole `arbridge bank read FILE --format csv`
command (wall seconds, including interpreter start, and its peak RSS).
Cost should grow linearly.
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
import tempfile
import time
import tracemalloc
import warnings
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from arbridge.connectors.bank import CsvProfile, read_statement
from arbridge.connectors.bank.ofx_reader import read_ofx_transactions

CSV_PROFILE = CsvProfile(
    date_column="Date",
    date_format="%m/%d/%Y",
    amount_column="Amount",
    description_columns=("Description",),
    transaction_id_column="Transaction ID",
)


def _amount(i: int) -> str:
    return f"{(i % 9000) + 1}.{i % 100:02d}"


def ofx(n: int) -> str:
    head = (
        "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nSECURITY:NONE\nENCODING:USASCII\n"
        "CHARSET:1252\nCOMPRESSION:NONE\nOLDFILEUID:NONE\nNEWFILEUID:NONE\n\n<OFX><BANKMSGSRSV1>"
        "<STMTTRNRS><STMTRS><CURDEF>USD<BANKACCTFROM><BANKID>1<ACCTID>42<ACCTTYPE>CHECKING"
        "</BANKACCTFROM><BANKTRANLIST><DTSTART>20240101<DTEND>20241231\n"
    )
    body = "".join(
        f"<STMTTRN>\n<TRNTYPE>CREDIT\n<DTPOSTED>2024{1 + i % 12:02d}{1 + i % 28:02d}\n"
        f"<TRNAMT>{_amount(i)}\n<FITID>F{i:08d}\n<NAME>CUSTOMER {i % 500}\n"
        f"<MEMO>INV-{i:06d}\n</STMTTRN>\n"
        for i in range(n)
    )
    tail = "</BANKTRANLIST><LEDGERBAL><BALAMT>1.00<DTASOF>20241231</LEDGERBAL></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>\n"
    return head + body + tail


def camt(n: int) -> str:
    entries = "".join(
        f"<Ntry><NtryRef>N{i}</NtryRef><Amt Ccy='EUR'>{_amount(i)}</Amt><CdtDbtInd>CRDT</CdtDbtInd>"
        f"<Sts>BOOK</Sts><BookgDt><Dt>2024-{1 + i % 12:02d}-{1 + i % 28:02d}</Dt></BookgDt>"
        f"<AcctSvcrRef>R{i:08d}</AcctSvcrRef><NtryDtls><TxDtls><RltdPties><Dbtr><Nm>CUSTOMER {i % 500}"
        f"</Nm></Dbtr></RltdPties><RmtInf><Ustrd>INV-{i:06d}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>\n"
        for i in range(n)
    )
    return (
        "<?xml version='1.0' encoding='UTF-8'?>\n<Document xmlns='urn:iso:std:iso:20022:tech:xsd:"
        "camt.053.001.08'><BkToCstmrStmt><GrpHdr><MsgId>M</MsgId></GrpHdr><Stmt><Id>S</Id>\n"
        + entries
        + "</Stmt></BkToCstmrStmt></Document>\n"
    )


def bai2(n: int) -> str:
    cents = [(i % 9000 + 1) * 100 + i % 100 for i in range(n)]
    details = "".join(
        f"16,115,{c},0,B{i:08d},C{i},INV-{i:06d} CUSTOMER {i % 500}/\n" for i, c in enumerate(cents)
    )
    total = sum(cents)  # the control totals add up: no notes
    return (
        "01,BANK,CUST,240102,0800,1,,,2/\n02,CUST,BANK,1,240101,2400,USD,2/\n03,42,USD,010,0,,/\n"
        + details
        + f"49,{total},{n + 2}/\n98,{total},1,{n + 4}/\n99,{total},1,{n + 6}/\n"
    )


def mt940(n: int) -> str:
    body = "".join(
        f":61:24{1 + i % 12:02d}{1 + i % 28:02d}C{_amount(i).replace('.', ',')}NTRFREF{i}//B{i}\n"
        f":86:CUSTOMER {i % 500} INV-{i:06d}\n"
        for i in range(n)
    )
    return (
        ":20:STMT\n:25:NL00BANK0123456789\n:28C:1/1\n:60F:C240101EUR0,00\n"
        + body
        + ":62F:C241231EUR0,00\n"
    )


def csv_text(n: int) -> str:
    rows = "".join(
        f"{1 + i % 12:02d}/{1 + i % 28:02d}/2024,CUSTOMER {i % 500} INV-{i:06d},{_amount(i)},T{i}\n"
        for i in range(n)
    )
    return "Date,Description,Amount,Transaction ID\n" + rows


def norma43(n: int) -> str:
    """A Norma 43 file: one account, n movements with a concept line each, 33 totals, 88 end."""
    cents = [(i % 9000 + 1) * 100 + i % 100 for i in range(n)]
    debits = [c for i, c in enumerate(cents) if i % 3 == 0]
    credits = [c for i, c in enumerate(cents) if i % 3]
    body = "".join(
        f"22    0982{240101 + i % 28:06d}{240101 + i % 28:06d}02000{1 if i % 3 == 0 else 2}"
        f"{c:014d}{i:010d}{'':12}{'':16}\n23{'01'}{f'INV-{i:06d} CUSTOMER {i % 500}':38}{'':38}\n"
        for i, c in enumerate(cents)
    )
    head = f"11{'2100':4}{'0001':4}{'0123456789':10}240101240131200000000000000978{'3'}{'ACME SL':26}{'':3}\n"
    tail = (
        f"33{'2100':4}{'0001':4}{'0123456789':10}{len(debits):05d}{sum(debits):014d}"
        f"{len(credits):05d}{sum(credits):014d}2{0:014d}978{'':4}\n"
        f"88{'9' * 18}{2 * n + 3:06d}\n"
    )
    return head + body + tail


FORMATS: dict[str, tuple[str, Callable[[int], str]]] = {
    "ofx": (".ofx", ofx),
    "camt053": (".xml", camt),
    "bai2": (".bai", bai2),
    "mt940": (".sta", mt940),
    "csv": (".csv", csv_text),
    "norma43": (".n43", norma43),
}


def measure(path: Path) -> tuple[int, float, float, float]:
    """Lines, wall and CPU seconds of the reader in-process, and its peak traced MiB."""
    start, cpu = time.perf_counter(), time.process_time()
    lines = read_statement(path, account="a", currency="USD", csv_profile=CSV_PROFILE)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    tracemalloc.start()
    read_statement(path, account="a", currency="USD", csv_profile=CSV_PROFILE)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return len(lines), elapsed, cpu, peak / 2**20


def measure_command(path: Path, profile_config: Path | None) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of `arbridge bank read FILE --format csv`."""
    wall, _, rss = _run(_command(path, profile_config))
    return wall, rss


def _command(path: Path, profile_config: Path | None) -> list[str]:
    command = [str(Path(sys.executable).with_name("arbridge"))]
    if profile_config is not None:
        command += ["--config", str(profile_config)]
    command += ["bank", "read", str(path), "--format", "csv"]
    if profile_config is not None:
        command += ["--profile", "bench"]
    return command


def _run(command: list[str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system) and peak RSS MiB of one whole process."""
    # Timed from a small launcher process: on Linux a child's peak RSS counts the memory
    # of the process that forked it, which here would be this benchmark's own.
    out = subprocess.run(
        [sys.executable, "-c", _LAUNCHER, *command], check=True, capture_output=True, text=True
    )
    wall, cpu, rss_kib = out.stdout.split()
    return float(wall), float(cpu), int(rss_kib) / 1024


_OFXPARSE = (
    "import sys, warnings; warnings.simplefilter('ignore'); from ofxparse import OfxParser; "
    "f = open(sys.argv[1], 'rb'); "
    "print(len(OfxParser.parse(f).account.statement.transactions), file=sys.stderr)"
)


def compare_whole(n: int, folder: Path) -> None:
    """`arbridge bank read --format csv` against an ofxparse process, whole, same file."""
    path = folder / "whole.ofx"
    path.write_text(ofx(n), encoding="ascii")
    ours = min((_run(_command(path, None)) for _ in range(3)), key=lambda r: r[0])
    theirs = min(
        (_run([sys.executable, "-c", _OFXPARSE, str(path)]) for _ in range(3)), key=lambda r: r[0]
    )
    print(
        f"whole command n={n}: arbridge bank read --format csv {ours[0]:.2f}s wall "
        f"{ours[1]:.2f}s cpu {ours[2]:.0f} MiB; ofxparse {theirs[0]:.2f}s wall "
        f"{theirs[1]:.2f}s cpu; speed-up {theirs[0] / ours[0]:.0f}x wall, "
        f"{theirs[1] / ours[1]:.0f}x cpu"
    )


_LAUNCHER = """
import os, subprocess, sys, time
start = time.perf_counter()
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(proc.pid, 0)
if status:
    sys.exit(f"{sys.argv[1:]} failed ({status})")
print(time.perf_counter() - start, usage.ru_utime + usage.ru_stime, usage.ru_maxrss)
"""


def _profile_config(folder: Path) -> Path:
    """A config naming a bank source `bench` with the CSV profile the generator writes."""
    path = folder / "bench.yaml"
    path.write_text(
        "store: {url: 'sqlite:///bench.db'}\n"
        "connectors:\n"
        "  erp: {kind: csv, name: erp, customers: c.csv, invoices: i.csv, applications: o.csv}\n"
        "  bank:\n"
        "    - name: bench\n"
        "      kind: folder\n"
        "      path: .\n"
        "      currency: USD\n"
        "      csv:\n"
        "        date: {column: Date, format: '%m/%d/%Y'}\n"
        "        amount: {column: Amount}\n"
        "        description: {columns: [Description]}\n"
        "        transaction_id: {column: Transaction ID}\n",
        encoding="utf-8",
    )
    return path


def compare_ofxparse(n: int, folder: Path) -> None:
    try:
        from ofxparse import OfxParser  # noqa: PLC0415 - a dev-only oracle, needed for --ofxparse alone
    except ImportError:
        raise SystemExit(
            "--ofxparse needs the dev extra: .venv/bin/pip install -e '.[dev]'"
        ) from None
    path = folder / "compare.ofx"
    path.write_text(ofx(n), encoding="ascii")
    start = time.perf_counter()
    ours = read_ofx_transactions(path, path.read_bytes())
    t_ours = time.perf_counter() - start
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = OfxParser.parse(io.BytesIO(path.read_bytes())).account.statement.transactions
    t_theirs = time.perf_counter() - start
    same = [(t.fitid, t.amount, t.posted_on, t.name, t.memo) for t in ours] == [
        (t.id, Decimal(t.amount), t.date.date(), t.payee, t.memo) for t in theirs
    ]
    print(
        f"ofxparse compare n={n}: ours {t_ours:.3f}s, ofxparse {t_theirs:.3f}s, "
        f"speed-up {t_theirs / t_ours:.0f}x, identical transactions: {same}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--ofxparse", type=int, default=0, help="compare at this many transactions")
    parser.add_argument("--whole", type=int, default=0, help="whole-command pair at this size")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        config = _profile_config(folder)
        print(
            f"{'format':8} {'txns':>7} {'MB':>6} {'read s':>7} {'cpu s':>6} {'txns/s':>8} "
            f"{'peak MiB':>8} {'cmd s':>6} {'cmd RSS MiB':>11}"
        )
        for name, (suffix, make) in FORMATS.items():
            for n in (int(s) for s in args.sizes.split(",") if int(s) > 0):
                path = folder / f"{name}-{n}{suffix}"
                path.write_text(make(n), encoding="utf-8")
                count, seconds, cpu, peak = measure(path)
                wall, rss = measure_command(path, config if name == "csv" else None)
                print(
                    f"{name:8} {count:7d} {path.stat().st_size / 1e6:6.1f} {seconds:7.3f} "
                    f"{cpu:6.3f} {count / seconds:8.0f} {peak:8.1f} {wall:6.2f} {rss:11.0f}"
                )
        if args.ofxparse:
            compare_ofxparse(args.ofxparse, folder)
        if args.whole:
            compare_whole(args.whole, folder)


if __name__ == "__main__":
    main()
