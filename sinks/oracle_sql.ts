/**
 * The SQL text and bind definitions of the Oracle sink (also in
 * docs/historian.md). Times are NUMBER(15) ms since 1970-01-01 UTC: exact,
 * free of session time zones, and what the other sinks' keys hold too.
 * Values are BINARY_DOUBLE (IEEE doubles like JS numbers: NaN, ±Infinity and
 * 1e308 fit, which NUMBER cannot hold) and VARCHAR2(4000 BYTE).
 */
import oracledb from "oracledb";

/** A table name the sink accepts: `NAME` or `SCHEMA.NAME`, plain identifiers. */
export const TABLE_NAME = /^[A-Za-z][A-Za-z0-9_$#]*(\.[A-Za-z][A-Za-z0-9_$#]*)?$/;

/** Longest text Oracle's VARCHAR2 holds (bytes, MAX_STRING_SIZE=STANDARD). */
export const MAX_TEXT_BYTES = 4000;

/** The table DDL. */
export function createTableSql(table: string): string {
  const pk = `${table.split(".").pop()}_PK`;
  return `CREATE TABLE ${table} (
  tag_id     NUMBER(10)          NOT NULL,
  ts         NUMBER(15)          NOT NULL,
  kind       NUMBER(1)           NOT NULL,
  quality    NUMBER(1)           NOT NULL,
  num_value  BINARY_DOUBLE,
  text_value VARCHAR2(4000 BYTE),
  CONSTRAINT ${pk} PRIMARY KEY (tag_id, ts)
)`;
}

/** PL/SQL that creates the table unless it exists (ORA-00955 is swallowed). */
export function ensureTableSql(table: string): string {
  return `BEGIN
  EXECUTE IMMEDIATE '${createTableSql(table)}';
EXCEPTION WHEN OTHERS THEN
  IF SQLCODE != -955 THEN RAISE; END IF;
END;`;
}

/**
 * One MERGE per bound row (executeMany sends all rows in one round trip):
 * an existing (tag_id, ts) takes the new columns (last write wins, as in the
 * other sinks), a new one is inserted. Binds by position:
 * :1 tag_id, :2 ts, :3 kind, :4 quality, :5 num_value, :6 text_value.
 */
export function mergeSql(table: string): string {
  return `MERGE INTO ${table} h
USING (SELECT :1 AS tag_id, :2 AS ts, :3 AS kind, :4 AS quality, :5 AS num_value,
  :6 AS text_value FROM dual) s
ON (h.tag_id = s.tag_id AND h.ts = s.ts)
WHEN MATCHED THEN UPDATE SET h.kind = s.kind, h.quality = s.quality,
  h.num_value = s.num_value, h.text_value = s.text_value
WHEN NOT MATCHED THEN INSERT (tag_id, ts, kind, quality, num_value, text_value)
  VALUES (s.tag_id, s.ts, s.kind, s.quality, s.num_value, s.text_value)`;
}

/** A bind definition as executeMany takes it. */
export interface BindDef {
  readonly type: unknown;
  readonly maxSize?: number;
}

/**
 * The executeMany bind definitions, in bind position order; `maxTextBytes`
 * is the longest text of the batch in UTF-8 bytes (at least 1).
 */
export function bindDefs(maxTextBytes: number): BindDef[] {
  return [
    { type: oracledb.DB_TYPE_NUMBER },
    { type: oracledb.DB_TYPE_NUMBER },
    { type: oracledb.DB_TYPE_NUMBER },
    { type: oracledb.DB_TYPE_NUMBER },
    { type: oracledb.DB_TYPE_BINARY_DOUBLE },
    { type: oracledb.DB_TYPE_VARCHAR, maxSize: Math.max(1, maxTextBytes) },
  ];
}

/** Bytes of a string in UTF-8. */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
      n += 4; // a surrogate pair: one 4-byte character
      i++;
    } else n += 3;
  }
  return n;
}

/** The longest prefix of `s` that fits in `maxBytes` UTF-8 bytes, cut between characters. */
export function truncateUtf8(s: string, maxBytes: number): string {
  if (s.length * 3 <= maxBytes || utf8Length(s) <= maxBytes) return s;
  let lo = 0;
  let hi = s.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (utf8Length(s.slice(0, mid)) <= maxBytes) lo = mid;
    else hi = mid - 1;
  }
  const code = s.charCodeAt(lo - 1);
  return code >= 0xd800 && code < 0xdc00 ? s.slice(0, lo - 1) : s.slice(0, lo);
}
