"""DDL of the store. Documented in the README ("The store"); changed only with a SCHEMA_VERSION bump.

Keys are declared in ``PRIMARY_KEYS`` and checked when a store is built (``database.validate``)
instead of as DuckDB ``PRIMARY KEY`` constraints: an ART index on the 3-4 million observation rows
made the bulk load 3x slower and the file 4x larger, and a failed check can name the duplicate key.
"""

from __future__ import annotations

SCHEMA_VERSION = 4  # 4: events keep the precision of their dates (id, dates, date_precision)

TABLES: dict[str, str] = {
    "meta": """
        CREATE TABLE meta (key VARCHAR NOT NULL, value VARCHAR)""",
    # One row per ingested source dataset or file family, with provenance.
    "datasets": """
        CREATE TABLE datasets (
            code VARCHAR NOT NULL,         -- source code: sbs_r_nuts06_r2, gisco_nuts_2013, us_cmp_states_2016 ...
            kind VARCHAR NOT NULL,         -- statistics | geometry | codelist | clusters | organisations
            title VARCHAR,
            publisher VARCHAR,
            licence VARCHAR,
            source_url VARCHAR,            -- official URL, or 'compiled directory (no official feed); shipped file ...'
            retrieved_from VARCHAR,        -- the URL actually read, or mirror:<mirror-relative path>
            origin VARCHAR,                -- url | mirror | mixed | compiled | user
            nuts_version VARCHAR,
            extracted_at TIMESTAMP,        -- when Cluster Map read it (UTC)
            last_update TIMESTAMP,         -- the source's own last update (HTTP Last-Modified) where known
            checksum VARCHAR,              -- sha256 of the bytes read
            row_count BIGINT,              -- rows in the store (observations: after NUTS recoding)
            cells_read BIGINT,             -- statistics: non-empty cells read from the file (before recoding)
            years VARCHAR,                 -- e.g. '2008-2015'
            notes VARCHAR)""",
    "regions": """
        CREATE TABLE regions (
            code VARCHAR NOT NULL,
            nuts_version VARCHAR NOT NULL, -- '2013', '2016', '2021', '2024'; 'us' for US regions
            level INTEGER,                 -- NUTS level 0-3; US: 0 nation, 1 state, 2 EA/MSA, 3 county
            country VARCHAR,
            name VARCHAR,
            parent VARCHAR,
            kind VARCHAR NOT NULL)         -- see cluster_map.schema.REGION_KINDS""",
    "geometries": """
        CREATE TABLE geometries (
            code VARCHAR NOT NULL,
            nuts_version VARCHAR NOT NULL,
            level INTEGER,
            variant VARCHAR NOT NULL,      -- 'full' (computation) | 'display' (coverage-simplified)
            wkb BLOB NOT NULL,             -- EPSG:4326
            label_lon DOUBLE,
            label_lat DOUBLE,
            source VARCHAR)          -- datasets.code of the geometry file""",
    "sectors": """
        CREATE TABLE sectors (
            scheme VARCHAR NOT NULL,       -- nace_r2 | us_cluster | us_subcluster | us_cluster_2007 | us_subcluster_2007
            code VARCHAR NOT NULL,
            label VARCHAR,
            level INTEGER,                 -- nace: 0 aggregate, 1 section, 2 division, 3 group; us: 1 cluster, 2 subcluster
            parent VARCHAR,
            sector_type VARCHAR)           -- US: traded | local; NACE: NULL""",
    "observations": """
        CREATE TABLE observations (
            dataset VARCHAR NOT NULL,
            region VARCHAR NOT NULL,
            region_original VARCHAR NOT NULL,
            nuts_version VARCHAR NOT NULL,
            sector_scheme VARCHAR NOT NULL,
            sector VARCHAR NOT NULL,
            indicator VARCHAR NOT NULL,
            unit VARCHAR NOT NULL,
            breakdown VARCHAR NOT NULL,
            year INTEGER NOT NULL,
            value DOUBLE,
            flags VARCHAR NOT NULL,
            caveats VARCHAR)               -- how a value converted between NUTS versions was made ('' or NULL: native)""",
    # Codes of a dataset that match no region geometry after recoding.
    "unmatched_regions": """
        CREATE TABLE unmatched_regions (
            dataset VARCHAR NOT NULL,
            code VARCHAR NOT NULL,
            nuts_version VARCHAR,
            n_rows BIGINT,
            reason VARCHAR)""",
    # NUTS recodings applied at ingest (old -> new), for the methodology page.
    "nuts_recodes": """
        CREATE TABLE nuts_recodes (
            dataset VARCHAR NOT NULL,
            code_from VARCHAR NOT NULL,
            version_from VARCHAR,
            code_to VARCHAR NOT NULL,
            version_to VARCHAR,
            method VARCHAR,                -- rename | merge | split (JRC weights)
            weight DOUBLE,                 -- share of the old region's value given to code_to
            n_rows BIGINT,                 -- observation rows of code_from recoded
            n_collisions BIGINT)           -- recoded rows dropped because the file had code_to already""",
    "cluster_naics": """
        CREATE TABLE cluster_naics (
            scheme VARCHAR NOT NULL,       -- us_cluster (2014 benchmark) | us_cluster_2007 (legacy list)
            cluster_code VARCHAR NOT NULL,
            subcluster_code VARCHAR,
            naics VARCHAR NOT NULL)""",
    "related_clusters": """
        CREATE TABLE related_clusters (
            cluster_a VARCHAR NOT NULL,
            cluster_b VARCHAR NOT NULL,
            relatedness DOUBLE,            -- cr_all (Delgado-Porter-Stern relatedness)
            relatedness_pct DOUBLE,        -- cr_all_pc
            related_90 BOOLEAN)         -- rel_all_90_v3: in the top decile (the published 'related' link)""",
    # Datasets a user added with `cluster-map ingest --add`: the spec that describes them (JSON).
    "user_datasets": """
        CREATE TABLE user_datasets (
            code VARCHAR NOT NULL,
            spec VARCHAR NOT NULL,         -- catalogue.dataset_to_spec as JSON
            file_name VARCHAR,             -- the user's file name (no path)
            added_at TIMESTAMP)""",
    "organisations": """
        CREATE TABLE organisations (
            id VARCHAR NOT NULL,
            directory VARCHAR NOT NULL,    -- eu_cluster_organisations | us_cmp_organisations | user:<name>
            name VARCHAR NOT NULL,
            acronym VARCHAR,
            country VARCHAR,
            city VARCHAR,
            region_text VARCHAR,
            sectors VARCHAR,               -- '; '-separated keywords
            clusters VARCHAR,              -- US CMP cluster names ('; '-separated)
            org_type VARCHAR,
            members VARCHAR,
            founded_year INTEGER,
            esca_label VARCHAR,
            website VARCHAR,
            source_url VARCHAR,
            lat DOUBLE,
            lon DOUBLE,
            geocode_precision VARCHAR,     -- coordinates | city | region | country | none
            nuts0 VARCHAR, nuts1 VARCHAR, nuts2 VARCHAR, nuts3 VARCHAR,  -- US: nuts1 state, nuts3 county FIPS
            nuts_version VARCHAR,
            -- read from the text (sources/org_profiles.py); NULL where the text does not say it
            members_year INTEGER,          -- year the member figures refer to
            members_total INTEGER, members_companies INTEGER, members_smes INTEGER, members_large INTEGER,
            members_research INTEGER,      -- research / education organisations
            members_bound VARCHAR,         -- exact | at least | about
            label_level VARCHAR,           -- latest ESCA label: bronze | silver | gold
            label_year INTEGER,
            org_kind VARCHAR,              -- catalogue.ORG_KINDS key
            sector_keys VARCHAR,           -- '; '-separated catalogue.SECTOR_TERMS keys
            nace VARCHAR,                  -- '; '-separated NACE divisions of those terms
            location_note VARCHAR,         -- how the point was found when not from the organisation's own city
            note VARCHAR,                  -- the directory's own note (what was inferred)
            search_terms VARCHAR[])        -- stemmed words, ~sector keys, #nace codes (search)""",
    "partnerships": """
        CREATE TABLE partnerships (
            name VARCHAR, theme VARCHAR, type VARCHAR, member_organisations VARCHAR,
            countries VARCHAR, source_url VARCHAR, note VARCHAR)""",
    "events": """
        CREATE TABLE events (
            id VARCHAR,                    -- stable: 'ev-' + sha1 of name and the stated start
            event_name VARCHAR, event_type VARCHAR,
            dates VARCHAR,                 -- as known: '2025', 'March 2023', '2022-11-29 - 2022-11-30'
            date_precision VARCHAR,        -- day | month | year (NULL: no date stated)
            date_start DATE, date_end DATE,  -- first and last day of the stated period
            city VARCHAR,
            country VARCHAR, organisers_partners VARCHAR, participants VARCHAR, source_url VARCHAR,
            note VARCHAR)""",
}


#: Key columns of each table, checked for uniqueness (and NOT NULL) before a new store is swapped in.
PRIMARY_KEYS: dict[str, tuple[str, ...]] = {
    "meta": ("key",),
    "datasets": ("code",),
    "regions": ("code", "nuts_version"),
    "geometries": ("code", "nuts_version", "variant"),
    "sectors": ("scheme", "code"),
    "observations": ("dataset", "region", "sector", "indicator", "unit", "breakdown", "year"),
    "unmatched_regions": ("dataset", "code", "nuts_version"),
    "nuts_recodes": ("dataset", "code_from", "code_to"),
    "cluster_naics": ("scheme", "cluster_code", "subcluster_code", "naics"),
    "related_clusters": ("cluster_a", "cluster_b"),
    "organisations": ("id",),
    "user_datasets": ("code",),
}

#: Tables a complete store must hold rows in (a partial ``--only`` ingest checks only what it loaded).
REQUIRED_TABLES: tuple[str, ...] = (
    "meta",
    "datasets",
    "regions",
    "geometries",
    "sectors",
    "observations",
    "related_clusters",
    "cluster_naics",
    "organisations",
)


def create_statements() -> list[str]:
    """``CREATE TABLE`` statements of every table, in dependency-free order."""
    return [ddl.strip() for ddl in TABLES.values()]
