/**
 * The SQL text of the PostgreSQL sink for one history table: DDL (also in
 * docs/historian.md), the binary COPY of a batch, the unnest upsert (the
 * fallback when a COPY meets a stored (tag, ts)), and the range and
 * downsampled queries. Times cross the wire as integer ms and become timestamptz in SQL
 * (epoch + ms × 1 ms), exact to the millisecond; back to ms they go through
 * date_part (double precision, fast) rounded to the integer ms, which is
 * exact because the error of a double here is far below half a millisecond.
 */
import { COPY_COLUMNS } from "./postgres_copy.ts";

/** A table name the sink accepts: `name` or `schema.name`, plain identifiers. */
export const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/;

const ms = (param: string) => `(timestamptz 'epoch' + ${param}::int8 * interval '1 millisecond')`;
const numeric = "kind IN (1, 2) AND num_value <> 'NaN'";

/** DDL: the table with primary key (tag_id, ts) and a BRIN index on ts (idempotent). */
export function createTableSql(table: string): string {
  const index = `${table.split(".").pop()}_ts_brin`;
  return `CREATE TABLE IF NOT EXISTS ${table} (
  tag_id     integer          NOT NULL,
  ts         timestamptz      NOT NULL,
  kind       smallint         NOT NULL,
  quality    smallint         NOT NULL,
  num_value  double precision,
  text_value text,
  PRIMARY KEY (tag_id, ts)
);
CREATE INDEX IF NOT EXISTS ${index} ON ${table} USING brin (ts);`;
}

/**
 * The batch upsert: six arrays ($1 tag ids, $2 ms times, $3 kinds, $4
 * qualities, $5 numbers, $6 texts) unnested into rows; a conflicting
 * (tag_id, ts) takes the new columns (last write wins) unless they are equal,
 * so a replayed batch writes no new row versions.
 */
export function upsertSql(table: string): string {
  return `INSERT INTO ${table} AS h (tag_id, ts, kind, quality, num_value, text_value)
SELECT u.tag_id, ${ms("u.ms")}, u.kind, u.quality, u.num_value, u.text_value
FROM unnest($1::int4[], $2::int8[], $3::int2[], $4::int2[], $5::float8[], $6::text[])
  AS u(tag_id, ms, kind, quality, num_value, text_value)
ON CONFLICT (tag_id, ts) DO UPDATE SET kind = EXCLUDED.kind, quality = EXCLUDED.quality,
  num_value = EXCLUDED.num_value, text_value = EXCLUDED.text_value
WHERE (h.kind, h.quality, h.num_value, h.text_value)
  IS DISTINCT FROM (EXCLUDED.kind, EXCLUDED.quality, EXCLUDED.num_value, EXCLUDED.text_value)`;
}

/**
 * The COPY that streams a batch straight into the table, in PostgreSQL's
 * binary format (encoded by sinks/postgres_copy.ts); run inside a transaction
 * so that a failure after the data was sent still rolls the whole batch back.
 */
export function copySql(table: string): string {
  return `COPY ${table} (${COPY_COLUMNS}) FROM STDIN (FORMAT binary)`;
}

/** Raw rows of tag $1 in [$2, $3) ms, oldest first, at most $4. */
export function samplesSql(table: string): string {
  return `SELECT tag_id, round(date_part('epoch', ts) * 1000) AS ms, kind, quality,
  num_value, text_value
FROM ${table} WHERE tag_id = $1 AND ts >= ${ms("$2")} AND ts < ${ms("$3")}
ORDER BY ts LIMIT $4`;
}

/**
 * Buckets of $4 ms from $2 over [$2, $3) for tag $1: min/max/sum/count of
 * numeric values (NaN left out), all samples, and the newest sample's
 * columns, found by joining the bucket's max(ts) back on the primary key.
 */
export function historySql(table: string): string {
  return `WITH g AS (
  SELECT ((round(date_part('epoch', ts) * 1000)::int8 - $2::int8) / $4::int8)::float8 AS b,
    min(num_value) FILTER (WHERE ${numeric}) AS mn,
    max(num_value) FILTER (WHERE ${numeric}) AS mx,
    coalesce(sum(num_value) FILTER (WHERE ${numeric}), 0) AS sm,
    (count(*) FILTER (WHERE ${numeric}))::int4 AS nc,
    count(*)::int4 AS c,
    max(ts) AS lt
  FROM ${table} WHERE tag_id = $1 AND ts >= ${ms("$2")} AND ts < ${ms("$3")}
  GROUP BY 1
)
SELECT g.b, g.mn, g.mx, g.sm, g.nc, g.c, h.kind, h.num_value, h.text_value
FROM g JOIN ${table} h ON h.tag_id = $1 AND h.ts = g.lt
ORDER BY g.b`;
}

/**
 * One bounded retention step: deletes up to $2 rows older than $1 ms (the
 * BRIN index on ts finds them without reading the whole table).
 */
export function pruneSql(table: string): string {
  return `DELETE FROM ${table} WHERE ctid = ANY (ARRAY(
  SELECT ctid FROM ${table} WHERE ts < ${ms("$1")} LIMIT $2))`;
}
