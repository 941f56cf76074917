CREATE TABLE `store_meta` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
ALTER TABLE `discrepancies` ADD `differences_total` integer;--> statement-breakpoint
ALTER TABLE `discrepancies` ADD `secondary_differences_total` integer;--> statement-breakpoint
ALTER TABLE `runs` ADD `source` text;