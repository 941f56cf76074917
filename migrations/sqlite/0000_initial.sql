CREATE TABLE `captures` (
	`id` text PRIMARY KEY NOT NULL,
	`run` text NOT NULL,
	`endpoint` text NOT NULL,
	`received_at` integer NOT NULL,
	`request` text NOT NULL,
	`response` text
);
--> statement-breakpoint
CREATE INDEX `captures_run_received` ON `captures` (`run`,`received_at`);--> statement-breakpoint
CREATE INDEX `captures_received` ON `captures` (`received_at`);--> statement-breakpoint
CREATE TABLE `differences` (
	`exchange_id` text NOT NULL,
	`seq` integer NOT NULL,
	`side` text NOT NULL,
	`cancelled` integer DEFAULT false NOT NULL,
	`run` text NOT NULL,
	`endpoint` text NOT NULL,
	`path` text NOT NULL,
	`field` text NOT NULL,
	`kind` text NOT NULL,
	`risk` text NOT NULL,
	`primary_value` text,
	`other_value` text,
	`received_at` integer NOT NULL,
	`detail` text,
	PRIMARY KEY(`exchange_id`, `seq`),
	FOREIGN KEY (`exchange_id`) REFERENCES `exchanges`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `differences_run_endpoint_field` ON `differences` (`run`,`endpoint`,`field`,`side`);--> statement-breakpoint
CREATE INDEX `differences_run_received` ON `differences` (`run`,`received_at`);--> statement-breakpoint
CREATE TABLE `discrepancies` (
	`id` text PRIMARY KEY NOT NULL,
	`run` text NOT NULL,
	`endpoint` text NOT NULL,
	`method` text NOT NULL,
	`url` text NOT NULL,
	`primary_status` integer NOT NULL,
	`shadow_status` integer,
	`request` text NOT NULL,
	`primary` text NOT NULL,
	`shadow` text NOT NULL,
	`paths` text NOT NULL,
	`risk` text NOT NULL,
	`created_at` integer NOT NULL,
	`received_at` integer NOT NULL,
	FOREIGN KEY (`id`) REFERENCES `exchanges`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `discrepancies_run_created` ON `discrepancies` (`run`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `discrepancies_run_endpoint_created` ON `discrepancies` (`run`,`endpoint`,`created_at`,`id`);--> statement-breakpoint
CREATE TABLE `drops` (
	`report_id` text NOT NULL,
	`run` text NOT NULL,
	`reason` text NOT NULL,
	`count` integer NOT NULL,
	`reported_at` integer NOT NULL,
	PRIMARY KEY(`report_id`, `run`, `reason`)
);
--> statement-breakpoint
CREATE TABLE `exchanges` (
	`id` text PRIMARY KEY NOT NULL,
	`run` text NOT NULL,
	`endpoint` text NOT NULL,
	`method` text NOT NULL,
	`url` text NOT NULL,
	`outcome` text NOT NULL,
	`skip_reason` text,
	`shadow_failed` integer DEFAULT false NOT NULL,
	`primary_status` integer NOT NULL,
	`shadow_status` integer,
	`primary_latency_ms` real NOT NULL,
	`shadow_latency_ms` real,
	`risk` text,
	`has_secondary` integer DEFAULT false NOT NULL,
	`secondary_status` integer,
	`received_at` integer NOT NULL,
	`compared_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `exchanges_run_endpoint` ON `exchanges` (`run`,`endpoint`,`outcome`);--> statement-breakpoint
CREATE INDEX `exchanges_run_received` ON `exchanges` (`run`,`received_at`);--> statement-breakpoint
CREATE TABLE `rule_hits` (
	`run` text NOT NULL,
	`endpoint` text NOT NULL,
	`rule` text NOT NULL,
	`evaluated` integer NOT NULL,
	`hits` integer NOT NULL,
	PRIMARY KEY(`run`, `endpoint`, `rule`)
);
--> statement-breakpoint
CREATE TABLE `runs` (
	`name` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`created_at` integer NOT NULL
);
