using System.Collections.Frozen;

namespace McpGateway.Policies.Classifiers.Sql;

/// <summary>
/// What a read-only statement may contain: a statement is <c>readOnly</c> only when every node of
/// its tree, every function, every operator and every type it names is listed here. Anything
/// else — a node kind added by a later grammar, a user-defined function, an operator or type in
/// another schema — makes it not read-only. Lists are conservative: a function that writes,
/// sleeps, signals, reads server files, changes settings or reaches another server is absent.
/// </summary>
internal static class SqlReadAllowList
{
    /// <summary>Parse-tree nodes that only read (with <c>SELECT … INTO</c> and <c>FOR UPDATE/SHARE</c> checked apart).</summary>
    public static FrozenSet<string> Nodes { get; } = new[]
    {
        "SelectStmt", "VariableShowStmt", "ExplainStmt", "DefElem",
        "RangeVar", "ColumnRef", "ParamRef", "A_Const", "A_Expr", "A_Star", "A_Indices", "A_Indirection", "A_ArrayExpr",
        "ResTarget", "TypeCast", "TypeName", "CollateClause", "SortBy", "WindowDef", "RangeSubselect", "RangeFunction",
        "RangeTableSample", "RangeTableFunc", "RangeTableFuncCol", "FuncCall", "NamedArgExpr", "BoolExpr", "SubLink",
        "CaseExpr", "CaseWhen", "CoalesceExpr", "MinMaxExpr", "SQLValueFunction", "XmlExpr", "XmlSerialize", "NullTest",
        "BooleanTest", "RowExpr", "JoinExpr", "GroupingSet", "GroupingFunc", "WithClause", "CommonTableExpr",
        "CTESearchClause", "CTECycleClause", "ColumnDef", "String", "Integer", "Float", "Boolean", "BitString", "List", "Alias",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>
    /// Built-in functions that run a query given as text, or read a relation named by a value: what
    /// such a statement returns cannot be traced to the columns it names (none is a read either).
    /// </summary>
    public static FrozenSet<string> RunsQueries { get; } = new[]
    {
        "query_to_xml", "query_to_xmlschema", "query_to_xml_and_xmlschema", "cursor_to_xml", "cursor_to_xmlschema",
        "table_to_xml", "table_to_xmlschema", "table_to_xml_and_xmlschema", "schema_to_xml", "schema_to_xmlschema",
        "schema_to_xml_and_xmlschema", "database_to_xml", "database_to_xmlschema", "database_to_xml_and_xmlschema",
        "ts_stat", "ts_rewrite", "dblink", "dblink_exec", "dblink_open", "dblink_fetch",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>
    /// Built-in functions (in <c>pg_catalog</c>) that neither write, nor change session or server
    /// state, nor wait, nor read outside the database, nor run SQL given as text.
    /// </summary>
    public static FrozenSet<string> Functions { get; } = new[]
    {
        // Aggregates and window functions.
        "count", "sum", "avg", "min", "max", "array_agg", "string_agg", "bool_and", "bool_or", "every", "bit_and", "bit_or", "bit_xor",
        "json_agg", "jsonb_agg", "json_object_agg", "jsonb_object_agg", "xmlagg", "stddev", "stddev_pop", "stddev_samp",
        "variance", "var_pop", "var_samp", "corr", "covar_pop", "covar_samp", "regr_avgx", "regr_avgy", "regr_count",
        "regr_intercept", "regr_r2", "regr_slope", "regr_sxx", "regr_sxy", "regr_syy", "percentile_cont", "percentile_disc",
        "mode", "range_agg", "range_intersect_agg", "row_number", "rank", "dense_rank", "percent_rank", "cume_dist", "ntile",
        "lag", "lead", "first_value", "last_value", "nth_value",
        // Text.
        "lower", "upper", "initcap", "length", "char_length", "character_length", "octet_length", "bit_length", "substr",
        "substring", "btrim", "ltrim", "rtrim", "trim", "replace", "concat", "concat_ws", "left", "right", "lpad", "rpad",
        "position", "strpos", "split_part", "reverse", "repeat", "format", "md5", "sha224", "sha256", "sha384", "sha512",
        "encode", "decode", "to_hex", "translate", "regexp_replace", "regexp_match", "regexp_matches", "regexp_split_to_array",
        "regexp_split_to_table", "regexp_like", "regexp_count", "regexp_instr", "regexp_substr", "starts_with", "ascii", "chr",
        "quote_ident", "quote_literal", "quote_nullable", "overlay", "normalize", "is_normalized", "unistr", "to_char",
        "to_number", "to_date", "to_timestamp", "string_to_array", "string_to_table", "similar_to_escape", "like_escape",
        "convert_from", "convert_to", "get_byte", "set_byte", "get_bit", "set_bit", "bit_count", "crc32", "crc32c",
        // Numbers.
        "abs", "ceil", "ceiling", "floor", "round", "trunc", "sign", "sqrt", "cbrt", "power", "pow", "exp", "ln", "log",
        "log10", "mod", "div", "pi", "degrees", "radians", "sin", "cos", "tan", "cot", "asin", "acos", "atan", "atan2", "sind",
        "cosd", "tand", "cotd", "asind", "acosd", "atand", "atan2d", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh",
        "width_bucket", "gcd", "lcm", "factorial", "scale", "min_scale", "trim_scale", "random", "numeric", "int4", "int8", "float8",
        // Dates and times.
        "now", "clock_timestamp", "statement_timestamp", "transaction_timestamp", "timeofday", "date_trunc", "date_part",
        "date_bin", "extract", "age", "make_date", "make_time", "make_timestamp", "make_timestamptz", "make_interval",
        "justify_days", "justify_hours", "justify_interval", "isfinite", "timezone", "overlaps",
        // JSON.
        "to_json", "to_jsonb", "row_to_json", "array_to_json", "json_build_object", "jsonb_build_object", "json_build_array",
        "jsonb_build_array", "json_object", "jsonb_object", "json_array_length", "jsonb_array_length", "json_each",
        "jsonb_each", "json_each_text", "jsonb_each_text", "json_extract_path", "jsonb_extract_path",
        "json_extract_path_text", "jsonb_extract_path_text", "json_object_keys", "jsonb_object_keys",
        "json_array_elements", "jsonb_array_elements", "json_array_elements_text", "jsonb_array_elements_text",
        "json_typeof", "jsonb_typeof", "json_strip_nulls", "jsonb_strip_nulls", "jsonb_set", "jsonb_set_lax", "jsonb_insert",
        "jsonb_pretty", "jsonb_path_exists", "jsonb_path_match", "jsonb_path_query", "jsonb_path_query_array",
        "jsonb_path_query_first", "json_populate_record", "jsonb_populate_record", "json_populate_recordset",
        "jsonb_populate_recordset", "json_to_record", "jsonb_to_record", "json_to_recordset", "jsonb_to_recordset",
        // Arrays, ranges and set-returning helpers.
        "array_length", "array_lower", "array_upper", "array_ndims", "array_dims", "cardinality", "array_append",
        "array_prepend", "array_cat", "array_position", "array_positions", "array_remove", "array_replace",
        "array_to_string", "array_fill", "unnest", "generate_series", "generate_subscripts", "lower_inc", "upper_inc",
        "lower_inf", "upper_inf", "isempty", "range_merge", "int4range", "int8range", "numrange", "tsrange", "tstzrange",
        "daterange",
        // Conditional and comparison helpers.
        "num_nulls", "num_nonnulls",
        // Text search.
        "to_tsvector", "to_tsquery", "plainto_tsquery", "phraseto_tsquery", "websearch_to_tsquery", "ts_rank", "ts_rank_cd",
        "ts_headline", "setweight", "strip", "tsvector_to_array", "array_to_tsvector", "numnode", "querytree",
        // Network, UUID, XML.
        "host", "hostmask", "masklen", "netmask", "network", "broadcast", "family", "abbrev", "inet_same_family",
        "inet_merge", "gen_random_uuid", "xmlelement", "xmlforest", "xmlconcat", "xmlpi", "xmlroot", "xpath", "xpath_exists",
        "xml_is_well_formed", "xml_is_well_formed_document", "xml_is_well_formed_content", "xmlcomment", "xmltext",
        // Information about the session and catalog (no writes, no secrets beyond the catalog the role can read).
        "version", "current_database", "current_catalog", "current_schema", "current_schemas", "pg_typeof", "format_type",
        "col_description", "obj_description", "shobj_description", "has_table_privilege", "has_column_privilege",
        "has_schema_privilege", "has_database_privilege", "has_function_privilege", "has_sequence_privilege",
        "pg_has_role", "pg_get_viewdef", "pg_get_indexdef", "pg_get_constraintdef", "pg_get_triggerdef",
        "pg_get_functiondef", "pg_get_function_arguments", "pg_get_function_result", "pg_get_expr", "pg_get_userbyid",
        "pg_get_serial_sequence", "pg_table_is_visible", "pg_type_is_visible", "pg_function_is_visible",
        "pg_relation_size", "pg_table_size", "pg_indexes_size", "pg_total_relation_size", "pg_size_pretty",
        "pg_size_bytes", "pg_column_size", "pg_backend_pid", "to_regclass", "to_regtype", "to_regproc",
        "to_regprocedure", "to_regnamespace", "to_regrole", "bernoulli", "system",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Built-in operators (and the operator names the grammar gives IN, LIKE, BETWEEN, …).</summary>
    public static FrozenSet<string> Operators { get; } = new[]
    {
        "=", "<>", "!=", "<", ">", "<=", ">=", "+", "-", "*", "/", "%", "^", "||", "|/", "||/", "@", "&", "|", "#", "~",
        "<<", ">>", "~~", "!~~", "~~*", "!~~*", "!~", "~*", "!~*", "@>", "<@", "&&", "?", "?|", "?&", "->", "->>", "#>",
        "#>>", "#-", "@?", "@@", "@@@", "<->", "&<", "&>", "<<|", "|>>", "&<|", "|&>", "-|-", "<<=", ">>=", "<^", ">^",
        "?#", "?-", "?|", "?-|", "?||", "##", "@-@", "^@",
        "BETWEEN", "NOT BETWEEN", "BETWEEN SYMMETRIC", "NOT BETWEEN SYMMETRIC",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Built-in type names as written without a schema (the grammar qualifies its own keywords with pg_catalog).</summary>
    public static FrozenSet<string> Types { get; } = new[]
    {
        "text", "varchar", "char", "bpchar", "name", "int", "int2", "int4", "int8", "integer", "smallint", "bigint",
        "numeric", "decimal", "real", "float4", "float8", "money", "bool", "boolean", "date", "time", "timetz", "timestamp",
        "timestamptz", "interval", "json", "jsonb", "jsonpath", "uuid", "bytea", "xml", "inet", "cidr", "macaddr", "macaddr8",
        "bit", "varbit", "tsvector", "tsquery", "point", "line", "lseg", "box", "path", "polygon", "circle", "oid", "regclass",
        "regtype", "regproc", "regprocedure", "regnamespace", "regrole", "regoper", "regoperator", "regconfig",
        "regdictionary", "int4range", "int8range", "numrange", "tsrange", "tstzrange", "daterange", "record", "unknown",
    }.ToFrozenSet(StringComparer.Ordinal);
}
