package guard

import (
	"strings"
	"sync"
)

// Allowlists of read-only SQL. Every function call, operator and type cast in
// a statement checked by CheckReadOnlySQL must be named here; anything else is
// refused. Names are pg_catalog's (PostgreSQL 15 and 17), reviewed family by
// family: only functions that compute a value from their arguments, the
// catalogs, statistics or the clock. Never allowed, whatever their volatility:
// functions that run SQL given as text, change settings (set_config), take
// advisory locks, touch large objects (lo_*), signal or end backends, use
// sequences (nextval, setval, currval, lastval), notify, sleep, assign
// transaction ids, read or list files (pg_read_file, pg_ls_*, pg_stat_file,
// pg_hba_file_rules, pg_current_logfile, pg_control_*), manage replication,
// backups, WAL or configuration, reset statistics, or exist for
// binary_upgrade, event triggers or type I/O.
//
// Resolution: a call is allowed when it is unqualified or qualified with
// pg_catalog. PostgreSQL searches pg_catalog first unless search_path names it
// explicitly later, and the guard refuses every SET of it in read-only mode,
// so an unqualified allowlisted name resolves to pg_catalog's function, with
// one exception it cannot see: an owner-created function of the same name in
// a schema on the search path whose argument types fit better (PostgreSQL
// weighs overloads across schemas). The same holds for operators. That is the
// class of owner-created code that read-only mode cannot see, like views.

// readFunctionFamilies lists the allowed functions, one family per entry.
var readFunctionFamilies = []struct{ family, names string }{
	// Aggregates and window functions: they fold or rank the rows of the query and nothing else.
	{"agg", `
		any_value array_agg avg bit_and bit_or bit_xor bool_and bool_or corr count covar_pop covar_samp
		cume_dist dense_rank every first_value json_agg json_object_agg jsonb_agg jsonb_object_agg lag
		last_value lead max min mode nth_value ntile percent_rank percentile_cont percentile_disc
		range_agg range_intersect_agg rank regr_avgx regr_avgy regr_count regr_intercept regr_r2
		regr_slope regr_sxx regr_sxy regr_syy row_number stddev stddev_pop stddev_samp string_agg sum
		var_pop var_samp variance`},
	// Arithmetic, bit strings and numeric conversions. random() and gen_random_uuid() only draw from the session PRNG (setseed, which sets it, is left out).
	{"math", `
		abs acos acosd acosh asin asind asinh atan atan2 atan2d atand atanh bit bit_count bit_length
		cash_words cbrt ceil ceiling cos cosd cosh cot cotd degrees div exp factorial float4 float8 floor
		gcd gen_random_uuid get_bit get_byte int2 int4 int8 lcm ln log log10 min_scale mod money numeric
		oid pi pow power radians random random_normal round scale set_bit set_byte sign sin sind sinh sqrt
		tan tand tanh to_bin to_oct trim_scale trunc width_bucket`},
	// Strings and bytes: formatting, quoting, padding, searching, hashing, encoding conversion. Pure functions of their arguments.
	{"string", `
		ascii bool bpchar btrim char char_length character_length chr concat concat_ws convert
		convert_from convert_to decode encode format initcap is_normalized left length lpad ltrim md5 name
		normalize num_nonnulls num_nulls octet_length overlay position quote_ident quote_literal
		quote_nullable regclass repeat replace reverse right rpad rtrim sha224 sha256 sha384 sha512
		split_part starts_with string_to_table strpos substr substring text textcat textlen to_ascii
		to_hex to_number translate unicode_assigned unistr uuid_extract_timestamp uuid_extract_version
		varbit varchar`},
	// Pattern matching (LIKE, SIMILAR TO, POSIX regular expressions).
	{"regexp", `
		like like_escape notlike regexp_count regexp_instr regexp_like regexp_match regexp_matches
		regexp_replace regexp_split_to_array regexp_split_to_table regexp_substr similar_escape
		similar_to_escape texticlike texticnlike texticregexeq texticregexne textlike textnlike
		textregexeq textregexne`},
	// Dates, times and intervals. now() and friends read the transaction or wall clock.
	{"datetime", `
		clock_timestamp date date_add date_bin date_part date_subtract date_trunc datemultirange daterange
		extract interval isfinite justify_days justify_hours justify_interval make_date make_interval
		make_time make_timestamp make_timestamptz now overlaps statement_timestamp time timeofday
		timestamp timestamptz timetz timezone to_char to_date to_timestamp transaction_timestamp`},
	// JSON and JSONB: building, reading, path queries and record conversion. jsonb_set and jsonb_insert return a new value; they do not write.
	{"json", `
		array_to_json json_array_element json_array_element_text json_array_elements
		json_array_elements_text json_array_length json_build_array json_build_object json_each
		json_each_text json_extract_path json_extract_path_text json_object json_object_field
		json_object_field_text json_object_keys json_populate_record json_populate_recordset
		json_strip_nulls json_to_record json_to_recordset json_to_tsvector json_typeof jsonb_array_element
		jsonb_array_element_text jsonb_array_elements jsonb_array_elements_text jsonb_array_length
		jsonb_build_array jsonb_build_object jsonb_concat jsonb_contained jsonb_contains jsonb_delete
		jsonb_delete_path jsonb_each jsonb_each_text jsonb_exists jsonb_exists_all jsonb_exists_any
		jsonb_extract_path jsonb_extract_path_text jsonb_insert jsonb_object jsonb_object_field
		jsonb_object_field_text jsonb_object_keys jsonb_path_exists jsonb_path_exists_tz jsonb_path_match
		jsonb_path_match_tz jsonb_path_query jsonb_path_query_array jsonb_path_query_array_tz
		jsonb_path_query_first jsonb_path_query_first_tz jsonb_path_query_tz jsonb_populate_record
		jsonb_populate_recordset jsonb_pretty jsonb_set jsonb_set_lax jsonb_strip_nulls jsonb_to_record
		jsonb_to_recordset jsonb_to_tsvector jsonb_typeof row_to_json to_json to_jsonb`},
	// Arrays.
	{"array", `
		array_append array_cat array_dims array_fill array_length array_lower array_ndims array_position
		array_positions array_prepend array_remove array_replace array_sample array_shuffle
		array_to_string array_to_tsvector array_upper arraycontained arraycontains arrayoverlap
		cardinality string_to_array trim_array`},
	// Set-returning helpers: series, subscripts, unnest, enum ranges.
	{"series", `
		enum_first enum_last enum_range generate_series generate_subscripts unnest`},
	// Ranges and multiranges.
	{"range", `
		int4multirange int4range int8multirange int8range isempty lower lower_inc lower_inf multirange
		nummultirange numrange range_contains range_contains_elem range_merge range_overlaps tsmultirange
		tsrange tstzmultirange tstzrange upper upper_inc upper_inf`},
	// Full-text search: parsing, ranking, highlighting. ts_stat and ts_rewrite(query, text) are left out: they run the SQL text they are given.
	{"ts", `
		get_current_ts_config numnode phraseto_tsquery plainto_tsquery querytree setweight strip
		to_tsquery to_tsvector ts_debug ts_delete ts_filter ts_headline ts_lexize ts_parse ts_rank
		ts_rank_cd ts_token_type tsquery_phrase tsvector_to_array websearch_to_tsquery`},
	// Network addresses.
	{"net", `
		abbrev broadcast cidr family host hostmask inet_merge inet_same_family macaddr macaddr8
		macaddr8_set7bit masklen netmask network set_masklen`},
	// Geometric types.
	{"geo", `
		area bound_box box center circle diagonal diameter height isclosed ishorizontal isopen isparallel
		isperp isvertical line lseg npoints path pclose point polygon popen radius slope width`},
	// XML values: construction, checks and XPath over a value. The *_to_xml family (query_to_xml, table_to_xml, cursor_to_xml, schema_to_xml, database_to_xml, ...) is left out: it runs SQL given as text or builds it from names.
	{"xml", `
		xml xml_is_well_formed xml_is_well_formed_content xml_is_well_formed_document xmlagg xmlcomment
		xmlexists xmltext xpath xpath_exists`},
	// Catalog introspection: definitions, privileges, visibility, object descriptions, name-to-oid lookups. They read the system catalogs.
	{"catalog", `
		aclcontains acldefault aclexplode col_description format_type getdatabaseencoding
		has_any_column_privilege has_column_privilege has_database_privilege
		has_foreign_data_wrapper_privilege has_function_privilege has_language_privilege
		has_parameter_privilege has_schema_privilege has_sequence_privilege has_server_privilege
		has_table_privilege has_tablespace_privilege has_type_privilege obj_description oidvectortypes
		parse_ident pg_available_extension_versions pg_available_extensions pg_char_to_encoding
		pg_client_encoding pg_collation_actual_version pg_collation_for pg_collation_is_visible
		pg_column_compression pg_column_is_updatable pg_conversion_is_visible
		pg_database_collation_actual_version pg_describe_object pg_encoding_max_length pg_encoding_to_char
		pg_extension_update_paths pg_function_is_visible pg_get_catalog_foreign_keys pg_get_constraintdef
		pg_get_expr pg_get_function_arg_default pg_get_function_arguments
		pg_get_function_identity_arguments pg_get_function_result pg_get_function_sqlbody
		pg_get_functiondef pg_get_indexdef pg_get_keywords pg_get_multixact_members pg_get_object_address
		pg_get_partition_constraintdef pg_get_partkeydef pg_get_publication_tables
		pg_get_replica_identity_index pg_get_ruledef pg_get_serial_sequence pg_get_statisticsobjdef
		pg_get_statisticsobjdef_columns pg_get_statisticsobjdef_expressions pg_get_triggerdef
		pg_get_userbyid pg_get_viewdef pg_get_wal_resource_managers pg_has_role pg_identify_object
		pg_identify_object_as_address pg_index_column_has_property pg_index_has_property
		pg_indexam_has_property pg_indexam_progress_phasename pg_indexes_size pg_is_other_temp_schema
		pg_mcv_list_items pg_my_temp_schema pg_opclass_is_visible pg_operator_is_visible
		pg_opfamily_is_visible pg_options_to_table pg_partition_ancestors pg_partition_root
		pg_partition_tree pg_relation_is_publishable pg_relation_is_updatable pg_sequence_parameters
		pg_statistics_obj_is_visible pg_table_is_visible pg_tablespace_location pg_ts_config_is_visible
		pg_ts_dict_is_visible pg_ts_parser_is_visible pg_ts_template_is_visible pg_type_is_visible
		pg_typeof row_security_active shobj_description to_regclass to_regcollation to_regnamespace
		to_regoper to_regoperator to_regproc to_regprocedure to_regrole to_regtype`},
	// Object sizes (they stat files; they read no file contents).
	{"size", `
		pg_column_size pg_database_size pg_relation_size pg_size_bytes pg_size_pretty pg_table_size
		pg_tablespace_size pg_total_relation_size`},
	// Session, transaction and server facts: current user, settings (current_setting reads; set_config, which writes, is left out), snapshots, WAL positions, time zone lists. txid_current and pg_current_xact_id are left out: they assign a transaction id.
	{"session", `
		age current_database current_query current_schema current_schemas current_setting current_user
		getpgusername inet_client_addr inet_client_port inet_server_addr inet_server_port mxid_age
		pg_backend_pid pg_conf_load_time pg_current_snapshot pg_current_wal_flush_lsn
		pg_current_wal_insert_lsn pg_current_wal_lsn pg_current_xact_id_if_assigned pg_is_in_recovery
		pg_is_wal_replay_paused pg_jit_available pg_last_committed_xact pg_last_wal_receive_lsn
		pg_last_wal_replay_lsn pg_last_xact_replay_timestamp pg_lsn pg_postmaster_start_time
		pg_snapshot_xip pg_snapshot_xmax pg_snapshot_xmin pg_timezone_abbrevs pg_timezone_names
		pg_visible_in_snapshot pg_wal_lsn_diff pg_walfile_name pg_walfile_name_offset
		pg_xact_commit_timestamp pg_xact_commit_timestamp_origin pg_xact_status session_user system_user
		txid_current_if_assigned txid_current_snapshot txid_snapshot_xip txid_snapshot_xmax
		txid_snapshot_xmin txid_status txid_visible_in_snapshot version xid`},
	// Cumulative statistics and activity readers behind the pg_stat_* views, locks held, blocking pids. The pg_stat_reset* family is left out.
	{"stats", `
		pg_blocking_pids pg_cursor pg_listening_channels pg_lock_status pg_notification_queue_usage
		pg_prepared_statement pg_safe_snapshot_blocking_pids pg_stat_get_activity
		pg_stat_get_analyze_count pg_stat_get_archiver pg_stat_get_autoanalyze_count
		pg_stat_get_autovacuum_count pg_stat_get_backend_activity pg_stat_get_backend_activity_start
		pg_stat_get_backend_client_addr pg_stat_get_backend_client_port pg_stat_get_backend_dbid
		pg_stat_get_backend_pid pg_stat_get_backend_start pg_stat_get_backend_userid
		pg_stat_get_backend_wait_event pg_stat_get_backend_wait_event_type pg_stat_get_backend_xact_start
		pg_stat_get_bgwriter_buf_written_checkpoints pg_stat_get_bgwriter_buf_written_clean
		pg_stat_get_bgwriter_maxwritten_clean pg_stat_get_bgwriter_requested_checkpoints
		pg_stat_get_bgwriter_stat_reset_time pg_stat_get_bgwriter_timed_checkpoints
		pg_stat_get_blocks_fetched pg_stat_get_blocks_hit pg_stat_get_buf_alloc
		pg_stat_get_buf_fsync_backend pg_stat_get_buf_written_backend pg_stat_get_checkpoint_sync_time
		pg_stat_get_checkpoint_write_time pg_stat_get_db_active_time pg_stat_get_db_blk_read_time
		pg_stat_get_db_blk_write_time pg_stat_get_db_blocks_fetched pg_stat_get_db_blocks_hit
		pg_stat_get_db_checksum_failures pg_stat_get_db_checksum_last_failure pg_stat_get_db_conflict_all
		pg_stat_get_db_conflict_bufferpin pg_stat_get_db_conflict_lock pg_stat_get_db_conflict_snapshot
		pg_stat_get_db_conflict_startup_deadlock pg_stat_get_db_conflict_tablespace
		pg_stat_get_db_deadlocks pg_stat_get_db_idle_in_transaction_time pg_stat_get_db_numbackends
		pg_stat_get_db_session_time pg_stat_get_db_sessions pg_stat_get_db_sessions_abandoned
		pg_stat_get_db_sessions_fatal pg_stat_get_db_sessions_killed pg_stat_get_db_stat_reset_time
		pg_stat_get_db_temp_bytes pg_stat_get_db_temp_files pg_stat_get_db_tuples_deleted
		pg_stat_get_db_tuples_fetched pg_stat_get_db_tuples_inserted pg_stat_get_db_tuples_returned
		pg_stat_get_db_tuples_updated pg_stat_get_db_xact_commit pg_stat_get_db_xact_rollback
		pg_stat_get_dead_tuples pg_stat_get_function_calls pg_stat_get_function_self_time
		pg_stat_get_function_total_time pg_stat_get_ins_since_vacuum pg_stat_get_last_analyze_time
		pg_stat_get_last_autoanalyze_time pg_stat_get_last_autovacuum_time pg_stat_get_last_vacuum_time
		pg_stat_get_live_tuples pg_stat_get_mod_since_analyze pg_stat_get_numscans
		pg_stat_get_progress_info pg_stat_get_recovery_prefetch pg_stat_get_replication_slot
		pg_stat_get_slru pg_stat_get_snapshot_timestamp pg_stat_get_subscription
		pg_stat_get_subscription_stats pg_stat_get_tuples_deleted pg_stat_get_tuples_fetched
		pg_stat_get_tuples_hot_updated pg_stat_get_tuples_inserted pg_stat_get_tuples_returned
		pg_stat_get_tuples_updated pg_stat_get_vacuum_count pg_stat_get_wal pg_stat_get_wal_receiver
		pg_stat_get_wal_senders pg_stat_get_xact_blocks_fetched pg_stat_get_xact_blocks_hit
		pg_stat_get_xact_function_calls pg_stat_get_xact_function_self_time
		pg_stat_get_xact_function_total_time pg_stat_get_xact_numscans pg_stat_get_xact_tuples_deleted
		pg_stat_get_xact_tuples_fetched pg_stat_get_xact_tuples_hot_updated
		pg_stat_get_xact_tuples_inserted pg_stat_get_xact_tuples_returned pg_stat_get_xact_tuples_updated
		pg_stat_have_stats pg_trigger_depth`},
}

// readFunctions maps each allowed function name to its family.
var readFunctions = sync.OnceValue(func() map[string]string {
	m := map[string]string{}
	for _, f := range readFunctionFamilies {
		for _, n := range strings.Fields(f.names) {
			m[n] = f.family
		}
	}
	return m
})

// readOperators are the operator names pg_catalog defines. Each is
// implemented by a pure function of its operands; an operator name outside
// this set can only be user- or extension-defined, and so is refused.
var readOperators = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	for _, n := range strings.Fields(`
		!! !~ !~* !~~ !~~* # ## #- #> #>> % & && &< &<| &> * *< *<= *<> *= *> *>= + - -> ->> -|- / < <->
		<< <<= <<| <= <> <@ <^ = > >= >> >>= >^ ? ?# ?& ?- ?-| ?| ?|| @ @-@ @> @? @@ @@@ ^ ^@ | |&> |/ |>>
		|| ||/ ~ ~* ~<=~ ~<~ ~= ~>=~ ~>~ ~~ ~~* !=`) {
		m[n] = true
	}
	return m
})

// readTypes are pg_catalog's data types (not pseudo-types). A cast to one of
// them runs a built-in input or cast function. A cast to any other type is
// refused: a domain's CHECK constraint, or a user-defined cast, can call any
// function.
var readTypes = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	for _, n := range strings.Fields(`
		aclitem bit bool box bpchar bytea char cid cidr circle date datemultirange daterange float4 float8
		gtsvector inet int2 int2vector int4 int4multirange int4range int8 int8multirange int8range interval
		json jsonb jsonpath line lseg macaddr macaddr8 money name numeric nummultirange numrange oid
		oidvector path pg_dependencies pg_lsn pg_mcv_list pg_ndistinct pg_node_tree pg_snapshot point
		polygon refcursor regclass regcollation regconfig regdictionary regnamespace regoper regoperator
		regproc regprocedure regrole regtype text tid time timestamp timestamptz timetz tsmultirange
		tsquery tsrange tstzmultirange tstzrange tsvector txid_snapshot uuid varbit varchar xid xid8 xml
		record unknown`) {
		m[n] = true
	}
	return m
})
