CREATE TABLE "captures" (
	"id" text PRIMARY KEY NOT NULL,
	"run" text NOT NULL,
	"endpoint" text NOT NULL,
	"received_at" bigint NOT NULL,
	"request" text NOT NULL,
	"response" text
);
--> statement-breakpoint
CREATE TABLE "differences" (
	"exchange_id" text NOT NULL,
	"seq" integer NOT NULL,
	"side" text NOT NULL,
	"cancelled" integer DEFAULT 0 NOT NULL,
	"path" text NOT NULL,
	"field" text NOT NULL,
	"kind" text NOT NULL,
	"risk" text NOT NULL,
	"primary_value" text,
	"other_value" text,
	"detail" text,
	CONSTRAINT "differences_exchange_id_seq_pk" PRIMARY KEY("exchange_id","seq")
);
--> statement-breakpoint
CREATE TABLE "discrepancies" (
	"id" text PRIMARY KEY NOT NULL,
	"run" text NOT NULL,
	"endpoint" text NOT NULL,
	"method" text NOT NULL,
	"url" text NOT NULL,
	"primary_status" integer NOT NULL,
	"shadow_status" integer,
	"request" text NOT NULL,
	"primary" text NOT NULL,
	"shadow" text NOT NULL,
	"paths" text NOT NULL,
	"risk" text NOT NULL,
	"signature" text NOT NULL,
	"received_at" bigint NOT NULL,
	"created_at" bigint NOT NULL,
	"differences_total" integer NOT NULL,
	"secondary_differences_total" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "drops" (
	"report_id" text NOT NULL,
	"run" text NOT NULL,
	"reason" text NOT NULL,
	"count" bigint NOT NULL,
	"reported_at" bigint NOT NULL,
	CONSTRAINT "drops_report_id_run_reason_pk" PRIMARY KEY("report_id","run","reason")
);
--> statement-breakpoint
CREATE TABLE "exchange_ids" (
	"id" text PRIMARY KEY NOT NULL,
	"seen_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "field_rollups" (
	"run" text NOT NULL,
	"span" bigint NOT NULL,
	"bucket" bigint NOT NULL,
	"endpoint" text NOT NULL,
	"field" text NOT NULL,
	"shadow_diffs" bigint DEFAULT 0 NOT NULL,
	"counting" bigint DEFAULT 0 NOT NULL,
	"secondary_diffs" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "field_rollups_run_span_bucket_endpoint_field_pk" PRIMARY KEY("run","span","bucket","endpoint","field")
);
--> statement-breakpoint
CREATE TABLE "latency_rollups" (
	"run" text NOT NULL,
	"span" bigint NOT NULL,
	"bucket" bigint NOT NULL,
	"endpoint" text NOT NULL,
	"side" text NOT NULL,
	"bin" integer NOT NULL,
	"count" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "latency_rollups_run_span_bucket_endpoint_side_bin_pk" PRIMARY KEY("run","span","bucket","endpoint","side","bin")
);
--> statement-breakpoint
CREATE TABLE "rollups" (
	"run" text NOT NULL,
	"span" bigint NOT NULL,
	"bucket" bigint NOT NULL,
	"endpoint" text NOT NULL,
	"compared" bigint DEFAULT 0 NOT NULL,
	"skipped" bigint DEFAULT 0 NOT NULL,
	"shadow_errors" bigint DEFAULT 0 NOT NULL,
	"with_secondary" bigint DEFAULT 0 NOT NULL,
	"differing" bigint DEFAULT 0 NOT NULL,
	"first_at" bigint NOT NULL,
	"last_at" bigint NOT NULL,
	CONSTRAINT "rollups_run_span_bucket_endpoint_pk" PRIMARY KEY("run","span","bucket","endpoint")
);
--> statement-breakpoint
CREATE TABLE "rule_rollups" (
	"run" text NOT NULL,
	"span" bigint NOT NULL,
	"bucket" bigint NOT NULL,
	"endpoint" text NOT NULL,
	"rule" text NOT NULL,
	"evaluated" bigint DEFAULT 0 NOT NULL,
	"hits" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "rule_rollups_run_span_bucket_endpoint_rule_pk" PRIMARY KEY("run","span","bucket","endpoint","rule")
);
--> statement-breakpoint
CREATE TABLE "runs" (
	"name" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"source" text,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "signature_rollups" (
	"run" text NOT NULL,
	"span" bigint NOT NULL,
	"bucket" bigint NOT NULL,
	"endpoint" text NOT NULL,
	"signature" text NOT NULL,
	"count" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "signature_rollups_run_span_bucket_endpoint_signature_pk" PRIMARY KEY("run","span","bucket","endpoint","signature")
);
--> statement-breakpoint
CREATE TABLE "signatures" (
	"hash" text PRIMARY KEY NOT NULL,
	"fields" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "skip_rollups" (
	"run" text NOT NULL,
	"span" bigint NOT NULL,
	"bucket" bigint NOT NULL,
	"endpoint" text NOT NULL,
	"reason" text NOT NULL,
	"count" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "skip_rollups_run_span_bucket_endpoint_reason_pk" PRIMARY KEY("run","span","bucket","endpoint","reason")
);
--> statement-breakpoint
CREATE TABLE "store_meta" (
	"key" text PRIMARY KEY NOT NULL,
	"value" text NOT NULL
);
--> statement-breakpoint
CREATE INDEX "captures_run_received" ON "captures" USING btree ("run","received_at");--> statement-breakpoint
CREATE INDEX "captures_received" ON "captures" USING btree ("received_at");--> statement-breakpoint
CREATE INDEX "differences_exchange_field" ON "differences" USING btree ("exchange_id","field");--> statement-breakpoint
CREATE INDEX "discrepancies_run_received" ON "discrepancies" USING btree ("run","received_at","id");--> statement-breakpoint
CREATE INDEX "discrepancies_run_endpoint_received" ON "discrepancies" USING btree ("run","endpoint","received_at","id");--> statement-breakpoint
CREATE INDEX "discrepancies_created" ON "discrepancies" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "drops_run_reported" ON "drops" USING btree ("run","reported_at");--> statement-breakpoint
CREATE INDEX "exchange_ids_seen" ON "exchange_ids" USING btree ("seen_at");