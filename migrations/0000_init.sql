CREATE TABLE `client_scopes` (
	`tenant_id` text NOT NULL,
	`client_id` text NOT NULL,
	`scope_id` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`tenant_id`, `client_id`, `scope_id`),
	FOREIGN KEY (`tenant_id`,`client_id`) REFERENCES `clients`(`tenant_id`,`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`tenant_id`,`scope_id`) REFERENCES `scopes`(`tenant_id`,`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `client_scopes_scope_idx` ON `client_scopes` (`tenant_id`,`scope_id`);--> statement-breakpoint
CREATE TABLE `client_secrets` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`client_id` text NOT NULL,
	`name` text NOT NULL,
	`last_digits` text NOT NULL,
	`digest` text NOT NULL,
	`metadata` text DEFAULT '{}' NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`tenant_id`,`client_id`) REFERENCES `clients`(`tenant_id`,`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `client_secrets_client_idx` ON `client_secrets` (`tenant_id`,`client_id`,`created_at`,`id`);--> statement-breakpoint
CREATE TABLE `clients` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`redirect_uris` text DEFAULT '[]' NOT NULL,
	`post_logout_redirect_uris` text DEFAULT '[]' NOT NULL,
	`public` integer DEFAULT false NOT NULL,
	`trusted` integer DEFAULT false NOT NULL,
	`metadata` text DEFAULT '{}' NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `clients_tenant_id_uq` ON `clients` (`tenant_id`,`id`);--> statement-breakpoint
CREATE INDEX `clients_tenant_created_idx` ON `clients` (`tenant_id`,`created_at`,`id`);--> statement-breakpoint
CREATE TABLE `scope_transients` (
	`tenant_id` text NOT NULL,
	`scope_id` text NOT NULL,
	`transient_scope_id` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`tenant_id`, `scope_id`, `transient_scope_id`),
	FOREIGN KEY (`tenant_id`,`scope_id`) REFERENCES `scopes`(`tenant_id`,`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`tenant_id`,`transient_scope_id`) REFERENCES `scopes`(`tenant_id`,`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "scope_transients_not_self" CHECK("scope_transients"."scope_id" <> "scope_transients"."transient_scope_id")
);
--> statement-breakpoint
CREATE INDEX `scope_transients_transient_idx` ON `scope_transients` (`tenant_id`,`transient_scope_id`);--> statement-breakpoint
CREATE TABLE `scopes` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`label` text NOT NULL,
	`metadata` text DEFAULT '{}' NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `scopes_tenant_id_uq` ON `scopes` (`tenant_id`,`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `scopes_tenant_label_uq` ON `scopes` (`tenant_id`,`label`);--> statement-breakpoint
CREATE INDEX `scopes_tenant_created_idx` ON `scopes` (`tenant_id`,`created_at`,`id`);