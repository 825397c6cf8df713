r"""Command line of Care Atlas (``python -m geo``).

``python -m geo gaps ...`` runs the care-gaps analysis in batch (argparse).

:func:`main` takes the arguments (``argv``) and returns the exit code; ``geo/__main__.py``
only calls it.

Example::

    python -m geo gaps --demand sample --services data/care_blocks.geojson \
        --minutes 15 --out gaps.gpkg

National scale, on Dask (:mod:`geo.scale`): write the demand as a partitioned grid
once, then run on it; the results are a folder of partitioned GeoParquet::

    python -m geo grid --synthetic 10000000 --out var/grids/country \
        --services-out var/grids/country-services.gpkg
    python -m geo gaps --engine dask --demand var/grids/country \
        --services var/grids/country-services.gpkg --minutes 15 --out var/runs/country

``--engine dask`` uses the scheduler in ``CARE_ATLAS_DASK_SCHEDULER`` or starts a
local cluster of ``CARE_ATLAS_DASK_WORKERS`` processes; the dashboard link and a
progress bar go to standard error.

``--demand sample`` is the bundled Bogotá sample (modelled from approximate
localidad populations, see :data:`geo.demand.SAMPLE_MODEL`); any other value is a
file readable by GDAL (GeoPackage, GeoJSON, shapefile...) holding a grid, polygons
(census blocks) or points with the group columns.

The output GeoPackage has the layers ``demand`` (cells), ``unserved_areas``,
``by_zone`` (a table, when there are zones) and ``summary`` (a table of the headline
figures and parameters). The headline figures are printed on standard output,
progress is logged on standard error, and a bad file or argument ends with one
line on standard error and exit code 2.

Moderator accounts (:mod:`geo.moderators`)::

    python -m geo moderator add NAME     # then passwd NAME, remove NAME, list
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TextIO

import geopandas as gpd
import pandas as pd
import pyogrio
import pyogrio.errors

from geo import gaps, profiles
from geo.demand import CELL_M, GROUPS
from geo.errors import LayerError

if TYPE_CHECKING:
    from geo.scale import DemandSet

log = logging.getLogger(__name__)

EXIT_USAGE = 2
SAMPLE = "sample"


class UsageError(Exception):
    """A bad argument or file: reported in one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see {self.prog} --help)")


def _groups(text: str) -> list[str]:
    groups = [g.strip() for g in text.split(",") if g.strip()]
    unknown = [g for g in groups if g not in GROUPS]
    if not groups or unknown:
        raise argparse.ArgumentTypeError(
            f"unknown group(s) {', '.join(unknown) or '(none)'}; use a comma-separated list "
            f"of {', '.join(GROUPS)}"
        )
    return groups


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text} must be a positive number")
    return value


def _count(text: str) -> int:
    try:
        value = int(text.replace("_", "").replace(",", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} must be at least 1")
    return value


def _demand_file_options(parser: argparse.ArgumentParser) -> None:
    """Add how a demand file is read into a grid (``gaps`` and ``grid`` share them)."""
    parser.add_argument("--demand-layer", help="layer of a multi-layer demand file")
    parser.add_argument("--cell-m", type=_positive, default=CELL_M, help="cell side in metres")
    parser.add_argument(
        "--zone-col",
        help="zone id column of the demand file, for per-zone figures (the sample's zones "
        "are its localidad codes)",
    )


def build_parser() -> argparse.ArgumentParser:
    """Return the ``python -m geo`` argument parser."""
    parser = _Parser(prog="python -m geo", description="Care Atlas analyses in batch.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    commands.add_parser(
        "hash-password",
        help="print a hash for the deprecated CARE_ATLAS_MODERATOR_PASSWORD_HASH",
        description="Reads a password (from the terminal, not echoed, or from standard input). "
        "Prefer moderator accounts: python -m geo moderator add NAME.",
    )
    mod = commands.add_parser(
        "moderator",
        help="manage moderator accounts (add, passwd, remove, list)",
        description="Moderator accounts in the store (CARE_ATLAS_DATABASE_URL or "
        "CARE_ATLAS_STORE_PATH). add and passwd read the password twice at a terminal "
        "(not echoed) or one line from standard input.",
    )
    mod.add_argument("action", choices=["add", "passwd", "remove", "list"])
    mod.add_argument("name", nargs="?", help="the account name (not for list)")
    cmd = commands.add_parser(
        "gaps",
        help="who can walk to a care service, who cannot",
        description="Coverage, 2SFCA accessibility, simultaneity and unserved areas.",
    )
    cmd.add_argument(
        "--demand",
        required=True,
        help="'sample' (bundled Bogotá model) or a grid / polygon / point file with the groups",
    )
    _demand_file_options(cmd)
    cmd.add_argument("--services", required=True, type=Path, help="services file (points)")
    cmd.add_argument("--services-layer", help="layer of a multi-layer services file")
    cmd.add_argument("--minutes", required=True, type=_positive, help="walking minutes")
    cmd.add_argument(
        "--profile",
        default="adult",
        choices=list(profiles.PROFILES),
        help="walking profile (default adult)",
    )
    cmd.add_argument(
        "--detour",
        type=float,
        default=profiles.DEFAULT_DETOUR,
        help=f"walked / straight-line distance (default {profiles.DEFAULT_DETOUR})",
    )
    cmd.add_argument(
        "--groups",
        type=_groups,
        default=list(gaps.DEFAULT_GROUPS),
        help=f"comma-separated groups (default {','.join(gaps.DEFAULT_GROUPS)})",
    )
    cmd.add_argument(
        "--out",
        required=True,
        type=Path,
        help="output GeoPackage (.gpkg); with --engine dask, an output folder",
    )
    cmd.add_argument(
        "--engine",
        choices=("local", "dask"),
        default="local",
        help="local: in memory on this machine (default); dask: a partitioned grid on a "
        "Dask cluster (--demand may then be a folder written by 'python -m geo grid')",
    )
    cmd.add_argument(
        "--overwrite", action="store_true", help="--engine dask: replace an existing --out folder"
    )
    grid = commands.add_parser(
        "grid",
        help="write a demand grid as partitioned GeoParquet for --engine dask",
        description="From the sample, a demand file, or a synthetic country built on the "
        "Dask workers (never held in memory).",
    )
    source = grid.add_mutually_exclusive_group(required=True)
    source.add_argument("--demand", help="'sample' or a grid / polygon / point file")
    source.add_argument(
        "--synthetic",
        type=_count,
        metavar="N_CELLS",
        help="a synthetic country of about N_CELLS cells (benchmarks; says so in its provenance)",
    )
    _demand_file_options(grid)
    grid.add_argument(
        "--groups",
        type=_groups,
        default=None,
        help="comma-separated groups to keep (default: all of total,children,older,"
        "disability,carers the demand has)",
    )
    grid.add_argument(
        "--tile", type=_count, default=512, help="cells per side of a partition (default 512)"
    )
    grid.add_argument("--seed", type=int, default=0, help="--synthetic: random seed")
    grid.add_argument(
        "--services-out",
        type=Path,
        help="--synthetic: also write synthetic services (GeoPackage) for the grid",
    )
    grid.add_argument(
        "--services-n",
        type=_count,
        help="--synthetic: number of services (default one per 2,000 cells)",
    )
    grid.add_argument("--out", required=True, type=Path, help="output folder")
    grid.add_argument("--overwrite", action="store_true", help="replace an existing grid")
    fetch = commands.add_parser(
        "fetch-osm",
        help="download the walkable streets of a box from OpenStreetMap (Overpass API)",
        description="Writes OSM XML that geo.network.load_network reads (needs the internet).",
    )
    fetch.add_argument(
        "--bbox",
        required=True,
        type=_bbox,
        help="minlon,minlat,maxlon,maxlat in degrees (WGS 84); write --bbox=-74.1,... when it "
        "starts with a minus sign",
    )
    fetch.add_argument(
        "--out", required=True, type=Path, help="output .osm file, e.g. data/networks/NAME.osm"
    )
    fetch.add_argument(
        "--url", default=None, help="Overpass API endpoint (default: the public one)"
    )
    fetch.add_argument(
        "--timeout", type=_positive, default=180.0, help="seconds to wait for the server"
    )
    atlas = commands.add_parser(
        "atlas",
        help="import Bogotá's official open layers into an atlas folder for the app",
        description="Reads the official layers (IDECA, SDP, SDIS, SDMujer, Malla Vial...) as "
        "published, from any folder, recognising each by its schema, and writes an atlas "
        "folder to point CARE_ATLAS_DATA_DIR at. Idempotent: nothing is done when the atlas "
        "is up to date with the files.",
    )
    atlas.add_argument("--source", required=True, type=Path, help="folder of the official layers")
    atlas.add_argument(
        "--out", type=Path, default=Path("var/atlas/bogota"), help="atlas folder to write"
    )
    atlas.add_argument("--force", action="store_true", help="rebuild even when up to date")
    locate = commands.add_parser(
        "locate",
        help="find Bogotá addresses on an atlas's offline address index",
        description="Locates one address (TEXT) or a CSV of them (column 'query') on the "
        "official house-number points of an atlas: the plate, else interpolated between "
        "plates, else the corner of two streets, else the street. Out: query, lon, lat, "
        "precision, matched, error_m (empty lon/lat when not found).",
    )
    locate.add_argument("--atlas", required=True, type=Path, help="atlas folder (geo atlas)")
    locate.add_argument("--input", type=Path, help="CSV with a 'query' column")
    locate.add_argument("--output", type=Path, help="CSV to write (default: standard output)")
    locate.add_argument("text", nargs="?", help="one address, e.g. 'Calle 59D Sur # 85-28'")
    return parser


def _locate(args: argparse.Namespace) -> int:
    import csv

    from geo import address

    if (args.input is None) == (args.text is None):
        raise UsageError("give one address as TEXT or a CSV with --input, not both")
    index = address.AddressIndex.load(args.atlas)
    if args.input is not None:
        try:
            frame = pd.read_csv(args.input, dtype=str, keep_default_na=False)
        except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
            raise UsageError(f"{args.input.name}: not a readable CSV ({exc})") from None
        if "query" not in frame.columns:
            raise UsageError(f"{args.input.name}: no 'query' column; name the column 'query'")
        queries = frame["query"].tolist()
    else:
        queries = [args.text]
    fields = ["query", "lon", "lat", "precision", "matched", "error_m"]
    rows = []
    for query in queries:
        found = address.locate(query, index)
        if found is None:
            rows.append({"query": query, "lon": "", "lat": "", "precision": "", "matched": ""})
        else:
            rows.append(
                {
                    "query": query,
                    "lon": f"{found.lon:.6f}",
                    "lat": f"{found.lat:.6f}",
                    "precision": found.precision,
                    "matched": found.matched,
                    "error_m": f"{found.error_m:.0f}",
                }
            )
    located = sum(1 for r in rows if r["precision"])
    with (
        args.output.open("w", newline="", encoding="utf-8")
        if args.output
        else contextlib.nullcontext(sys.stdout)
    ) as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, restval="")
        writer.writeheader()
        writer.writerows(rows)
    sys.stderr.write(f"{located} of {len(rows)} addresses located\n")
    return 0


def _atlas(args: argparse.Namespace) -> int:
    from geo.io.atlas import build, sources

    build.check_out_dir(args.out)

    def progress(step: int, steps: int, message: str) -> None:
        sys.stderr.write(f"[{step}/{steps}] {message}\n")
        sys.stderr.flush()

    try:
        report = build.build_atlas(args.source, args.out, force=args.force, progress=progress)
    except sources.AtlasSourceError as exc:
        sys.stderr.write(f"python -m geo atlas: cannot import:\n{exc}\n")
        return EXIT_USAGE
    sys.stdout.write("\n".join([*build.describe(report), f"Written: {args.out}"]) + "\n")
    return 0


def _bbox(text: str) -> tuple[float, float, float, float]:
    try:
        values = tuple(float(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not four comma-separated numbers") from None
    if len(values) != 4:
        raise argparse.ArgumentTypeError(
            f"{text!r} has {len(values)} numbers; give minlon,minlat,maxlon,maxlat"
        )
    minlon, minlat, maxlon, maxlat = values
    if not (-180 <= minlon < maxlon <= 180 and -90 <= minlat < maxlat <= 90):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a box: need -180 <= minlon < maxlon <= 180 and "
            "-90 <= minlat < maxlat <= 90"
        )
    return minlon, minlat, maxlon, maxlat


def _fetch_osm(args: argparse.Namespace) -> int:
    from geo import network

    if args.out.suffix.lower() != ".osm":
        raise UsageError(f"--out {args.out} must end in .osm (OpenStreetMap XML).")
    written = network.fetch_osm(
        args.bbox, args.out, url=args.url or network.OVERPASS_URL, timeout_s=args.timeout
    )
    sys.stdout.write(f"Written: {args.out} ({written:,} bytes)\n")
    return 0


def _read(path: Path, *, layer: str | None, what: str) -> gpd.GeoDataFrame:
    if not path.exists():
        raise UsageError(f"{what} file {path} not found; check the path.")
    try:
        frame = gpd.read_file(path, layer=layer)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise UsageError(
            f"{what} file {path} cannot be read ({reason}); give a GeoPackage, GeoJSON or "
            "shapefile."
        ) from None
    if not isinstance(frame, gpd.GeoDataFrame) or frame.geometry.isna().all():
        raise UsageError(f"{what} file {path} has no geometry; give a spatial layer.")
    log.info("read %s: %d features from %s", what, len(frame), path)
    return frame


def _check_out(path: Path) -> None:
    if path.suffix.lower() != ".gpkg":
        raise UsageError(f"--out {path} must end in .gpkg (a GeoPackage).")
    if not path.parent.is_dir():
        raise UsageError(f"--out folder {path.parent} does not exist; create it first.")


def _write(result: gaps.GapsResult, path: Path) -> None:
    if path.exists():
        log.info("replacing %s", path)
        path.unlink()
    result.demand.to_file(path, layer="demand", driver="GPKG")
    result.unserved_areas.to_file(path, layer="unserved_areas", driver="GPKG")
    if result.by_zone is not None:
        pyogrio.write_dataframe(
            _plain(result.by_zone), path, layer="by_zone", driver="GPKG", append=True
        )
    pyogrio.write_dataframe(
        _plain(result.summary), path, layer="summary", driver="GPKG", append=True
    )
    log.info("wrote %s", path)


def _plain(table: pd.DataFrame) -> pd.DataFrame:
    """Flatten a table's index (and MultiIndex columns) into plain columns for a file."""
    table = table.copy()
    if isinstance(table.columns, pd.MultiIndex):
        table.columns = ["_".join(map(str, col)).strip("_") for col in table.columns]
    if not isinstance(table.index, pd.RangeIndex):
        table = table.reset_index()
    table.columns = [str(col) for col in table.columns]
    return table


def _demand_grid(
    args: argparse.Namespace, *, groups: Sequence[str] | None
) -> tuple[gpd.GeoDataFrame, str | None]:
    """Return the demand grid ``--demand`` names (the sample or a file) and its zone column.

    ``groups`` None keeps every group column the file has. The grid's zone column is
    ``zone``: the sample's localidad code, or a file's ``--zone-col``.
    """
    if args.demand == SAMPLE:
        if args.zone_col not in (None, "zone", "code"):
            raise UsageError(
                f"--zone-col {args.zone_col}: the sample's zones are the localidad codes; "
                "leave --zone-col out."
            )
        return gaps.demand_grid(cell_m=args.cell_m), "zone"
    layer = _read(Path(args.demand), layer=args.demand_layer, what="demand")
    wanted = groups or [g for g in GROUPS if g in layer.columns]
    grid = gaps.prepare_demand(layer, groups=wanted, cell_m=args.cell_m, zone_col=args.zone_col)
    return grid, ("zone" if args.zone_col else None)


def _gaps(args: argparse.Namespace) -> int:
    if args.engine == "dask":
        return _gaps_dask(args)
    _check_out(args.out)
    if not args.detour >= 1:
        raise UsageError(f"--detour {args.detour} must be >= 1 (walked / straight-line distance).")
    grid, zone_col = _demand_grid(args, groups=args.groups)
    services = _read(args.services, layer=args.services_layer, what="services")
    result = gaps.run_gaps(
        grid,
        services,
        minutes=args.minutes,
        profile=args.profile,
        groups=args.groups,
        zone_col=zone_col,
        options=gaps.GapsOptions(detour=args.detour),
    )
    _write(result, args.out)
    sys.stdout.write("\n".join([*result.lines(), f"Written: {args.out}"]) + "\n")
    return 0


class _ProgressBar:
    """``progress(stage, done, total)`` drawn on standard error.

    On a terminal one bar redrawn in place per stage; in a log (CI, nohup) a line at
    0, 25, 50, 75 and 100%.
    """

    def __init__(self, stream: TextIO | None = None, width: int = 30) -> None:
        self.stream = stream or sys.stderr
        self.width = width
        self.tty = self.stream.isatty()
        self.started = time.perf_counter()
        self._last: tuple[str, int] = ("", -1)

    def __call__(self, stage: str, done: int, total: int) -> None:
        share = done / total if total else 1.0
        filled = round(share * self.width)
        bar = "#" * filled + "." * (self.width - filled)
        text = f"{stage:<12} [{bar}] {done}/{total} {time.perf_counter() - self.started:6.1f} s"
        if self.tty:
            self.stream.write("\r" + text + ("\n" if done == total else ""))
        else:
            quarter = int(share * 4)
            if (stage, quarter) == self._last:
                return
            self._last = (stage, quarter)
            self.stream.write(text + "\n")
        self.stream.flush()


def _demand_set(
    args: argparse.Namespace, folder: Path, *, groups: Sequence[str] | None, overwrite: bool
) -> DemandSet:
    """Write ``--demand`` (sample or file) as a partitioned grid in ``folder``.

    ``groups`` None keeps every group column the demand has (``total`` included).
    """
    from geo import scale

    grid, zone_col = _demand_grid(args, groups=groups)
    if args.demand == SAMPLE:
        provenance = {
            "source": grid.attrs.get(
                "source", "Care Atlas sample: Bogotá localidades (approximate populations)"
            ),
            "licence": "see data/README.md",
            "date": time.strftime("%Y-%m-%d"),
            "precision": f"{args.cell_m:g} m cells from approximate localidad zones",
        }
    else:
        provenance = {"source": str(args.demand), "date": time.strftime("%Y-%m-%d")}
        if args.zone_col:
            provenance["zone_source"] = args.zone_col  # the grid calls it "zone"
    return scale.write_grid(
        grid,
        folder,
        groups=groups or [g for g in GROUPS if g in grid.columns],
        zone_col=zone_col,
        tile=getattr(args, "tile", scale.DEFAULT_TILE),
        provenance=provenance,
        overwrite=overwrite,
    )


def _grid(args: argparse.Namespace) -> int:
    from geo import scale  # dask is imported only for the commands that use it

    if args.synthetic is None:
        if args.services_out or args.services_n:
            raise UsageError("--services-out and --services-n go with --synthetic.")
        written = _demand_set(args, args.out, groups=args.groups, overwrite=args.overwrite)
    else:
        if args.services_out is not None and args.services_out.suffix.lower() != ".gpkg":
            raise UsageError(f"--services-out {args.services_out} must end in .gpkg.")
        with scale.cluster() as client:
            sys.stderr.write(f"Dask dashboard: {client.dashboard_link}\n")
            job = scale.Job(
                folder=args.out, client=client, overwrite=args.overwrite, progress=_ProgressBar()
            )
            written = scale.write_synthetic_grid(
                job, n_cells=args.synthetic, cell_m=args.cell_m, seed=args.seed, tile=args.tile
            )
        if args.services_out is not None:
            n = args.services_n or max(1, written.n_cells // 2_000)
            services = scale.synthetic_services(written.frame, n, seed=args.seed)
            services.to_file(args.services_out, layer="services", driver="GPKG")
            sys.stdout.write(f"Written: {args.services_out} ({n:,} synthetic services)\n")
    sys.stdout.write(
        f"Written: {written.path} ({written.n_cells:,} cells in {len(written.files)} "
        f"partitions, {written.frame.cell_m:g} m, {written.frame.crs})\n"
    )
    return 0


def _gaps_dask(args: argparse.Namespace) -> int:
    from geo import scale

    if args.out.suffix.lower() == ".gpkg":
        raise UsageError(
            f"--out {args.out}: with --engine dask the results are a folder of partitioned "
            "GeoParquet; give a folder name."
        )
    if not args.out.parent.is_dir():
        raise UsageError(f"--out folder {args.out.parent} does not exist; create it first.")
    if not args.detour >= 1:
        raise UsageError(f"--detour {args.detour} must be >= 1 (walked / straight-line distance).")
    services = _read(args.services, layer=args.services_layer, what="services")
    folder = Path(args.demand)
    with contextlib.ExitStack() as stack:
        if args.demand != SAMPLE and folder.is_dir():
            demand = scale.open_demand(folder)
            zone_col = args.zone_col
            if zone_col is not None and zone_col == demand.provenance.get("zone_source"):
                zone_col = demand.zone_col  # the file's column name, as given to `grid`
        else:
            # a file or the sample: partition it beside the output, for the workers to read
            tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(dir=args.out.parent)))
            demand = _demand_set(args, tmp / "demand", groups=None, overwrite=False)
            zone_col = demand.zone_col if (args.zone_col or args.demand == SAMPLE) else None
        client = stack.enter_context(scale.cluster())
        sys.stderr.write(f"Dask dashboard: {client.dashboard_link}\n")
        result = scale.run_gaps(
            demand,
            services,
            scale.Job(
                folder=args.out, client=client, overwrite=args.overwrite, progress=_ProgressBar()
            ),
            minutes=args.minutes,
            profile=args.profile,
            groups=args.groups,
            zone_col=zone_col,
            options=gaps.GapsOptions(detour=args.detour),
        )
    sys.stdout.write("\n".join([*result.lines(), f"Written: {args.out}"]) + "\n")
    return 0


def _moderator(args: argparse.Namespace) -> int:
    from geo import moderators
    from geo.settings import get_settings
    from geo.store import StoreError

    try:
        return moderators.main(args.action, args.name, settings=get_settings())
    except StoreError as exc:
        raise UsageError(str(exc)) from None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line on ``argv`` (``sys.argv[1:]`` when None); return the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        logging.basicConfig(format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
        logging.getLogger("geo").setLevel(logging.DEBUG if args.verbose else logging.INFO)
        return _COMMANDS[args.command](args)
    except (UsageError, LayerError, OSError) as exc:
        sys.stderr.write(f"python -m geo: error: {' '.join(str(exc).split())}\n")
        return EXIT_USAGE


def _hash_password(args: argparse.Namespace) -> int:
    from geo.community import main_hash_password

    return main_hash_password()


_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "gaps": _gaps,
    "grid": _grid,
    "fetch-osm": _fetch_osm,
    "atlas": _atlas,
    "locate": _locate,
    "hash-password": _hash_password,
    "moderator": _moderator,
}
"""What each subcommand runs (argparse requires one)."""
