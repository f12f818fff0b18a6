CREATE TYPE "public"."login_type" AS ENUM('password', 'github', 'oidc', 'token', 'none', 'oauth2_provider_app');--> statement-breakpoint
CREATE TYPE "public"."user_status" AS ENUM('active', 'suspended', 'dormant');--> statement-breakpoint
CREATE TABLE "api_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"hashed_secret" "bytea",
	"user_id" uuid NOT NULL,
	"last_used" timestamp with time zone DEFAULT '1970-01-01 00:00:00+00' NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"login_type" "login_type" NOT NULL,
	"lifetime_seconds" bigint DEFAULT 86400 NOT NULL,
	"ip_address" "inet" DEFAULT '0.0.0.0' NOT NULL,
	"token_name" text DEFAULT '' NOT NULL,
	"scopes" text[] DEFAULT '{coder:all}'::text[] NOT NULL,
	"allow_list" text[] DEFAULT '{*:*}'::text[] NOT NULL,
	CONSTRAINT "api_keys_allow_list_not_empty" CHECK (cardinality("api_keys"."allow_list") > 0)
);
--> statement-breakpoint
CREATE TABLE "gitsshkeys" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"private_key" text NOT NULL,
	"public_key" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "organization_members" (
	"user_id" uuid NOT NULL,
	"organization_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"roles" text[] DEFAULT '{}'::text[] NOT NULL,
	CONSTRAINT "organization_members_organization_id_user_id_pk" PRIMARY KEY("organization_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "organizations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"display_name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"icon" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"is_default" boolean DEFAULT false NOT NULL,
	"deleted" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "user_configs" (
	"user_id" uuid NOT NULL,
	"key" varchar(256) NOT NULL,
	"value" text NOT NULL,
	CONSTRAINT "user_configs_user_id_key_pk" PRIMARY KEY("user_id","key")
);
--> statement-breakpoint
CREATE TABLE "user_links" (
	"user_id" uuid NOT NULL,
	"login_type" "login_type" NOT NULL,
	"linked_id" text DEFAULT '' NOT NULL,
	"oauth_access_token" text DEFAULT '' NOT NULL,
	"oauth_refresh_token" text DEFAULT '' NOT NULL,
	"oauth_expiry" timestamp with time zone,
	"claims" jsonb DEFAULT '{}'::jsonb NOT NULL,
	CONSTRAINT "user_links_user_id_login_type_pk" PRIMARY KEY("user_id","login_type")
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"email" text NOT NULL,
	"username" text NOT NULL,
	"hashed_password" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"status" "user_status" DEFAULT 'dormant' NOT NULL,
	"rbac_roles" text[] DEFAULT '{}'::text[] NOT NULL,
	"login_type" "login_type" DEFAULT 'password' NOT NULL,
	"avatar_url" text DEFAULT '' NOT NULL,
	"deleted" boolean DEFAULT false NOT NULL,
	"last_seen_at" timestamp with time zone,
	"quiet_hours_schedule" text DEFAULT '' NOT NULL,
	"name" text DEFAULT '' NOT NULL,
	"github_com_user_id" bigint,
	"hashed_one_time_passcode" text,
	"one_time_passcode_expires_at" timestamp with time zone,
	"is_system" boolean DEFAULT false NOT NULL,
	"is_service_account" boolean DEFAULT false NOT NULL,
	CONSTRAINT "users_username_min_length" CHECK (length("users"."username") >= 1),
	CONSTRAINT "users_email_not_empty" CHECK (("users"."is_service_account" = true) = ("users"."email" = '')),
	CONSTRAINT "users_service_account_login_type" CHECK ("users"."is_service_account" = false OR "users"."login_type" = 'none'),
	CONSTRAINT "users_otp_both_or_neither" CHECK (("users"."hashed_one_time_passcode" IS NULL) = ("users"."one_time_passcode_expires_at" IS NULL))
);
--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gitsshkeys" ADD CONSTRAINT "gitsshkeys_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "organization_members" ADD CONSTRAINT "organization_members_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "organization_members" ADD CONSTRAINT "organization_members_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_configs" ADD CONSTRAINT "user_configs_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_links" ADD CONSTRAINT "user_links_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "api_keys_user_id_idx" ON "api_keys" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "api_keys_token_name_idx" ON "api_keys" USING btree ("user_id","token_name") WHERE "api_keys"."login_type" = 'token';--> statement-breakpoint
CREATE INDEX "organization_members_user_id_idx" ON "organization_members" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "organizations_name_lower_idx" ON "organizations" USING btree (lower("name")) WHERE "organizations"."deleted" = false;--> statement-breakpoint
CREATE UNIQUE INDEX "organizations_single_default_idx" ON "organizations" USING btree ("is_default") WHERE "organizations"."is_default" = true;--> statement-breakpoint
CREATE UNIQUE INDEX "user_links_linked_id_login_type_idx" ON "user_links" USING btree ("linked_id","login_type") WHERE "user_links"."linked_id" <> '';--> statement-breakpoint
CREATE UNIQUE INDEX "users_username_lower_idx" ON "users" USING btree (lower("username")) WHERE "users"."deleted" = false;--> statement-breakpoint
CREATE UNIQUE INDEX "users_email_lower_idx" ON "users" USING btree (lower("email")) WHERE "users"."deleted" = false AND "users"."email" <> '';--> statement-breakpoint
-- Hand-written below this line: the default organization and the triggers with API-visible effects
-- (Coder's coderd/database/dump.sql). drizzle-kit does not model data or triggers.
INSERT INTO "organizations" ("name", "display_name", "description", "is_default")
VALUES ('coder', 'Coder', 'Builtin default organization.', true);
--> statement-breakpoint
CREATE FUNCTION delete_deleted_user_resources() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.deleted THEN
		DELETE FROM api_keys WHERE user_id = NEW.id;
		DELETE FROM user_links WHERE user_id = NEW.id;
	END IF;
	RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER trigger_update_users
	AFTER INSERT OR UPDATE OF deleted ON users
	FOR EACH ROW WHEN (NEW.deleted = true)
	EXECUTE FUNCTION delete_deleted_user_resources();
--> statement-breakpoint
CREATE FUNCTION refuse_rows_for_deleted_user() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF EXISTS (SELECT 1 FROM users WHERE id = NEW.user_id AND deleted) THEN
		RAISE EXCEPTION 'Cannot create % for deleted user', TG_ARGV[0];
	END IF;
	RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER trigger_insert_apikeys
	BEFORE INSERT ON api_keys
	FOR EACH ROW EXECUTE FUNCTION refuse_rows_for_deleted_user('API key');
--> statement-breakpoint
CREATE TRIGGER trigger_upsert_user_links
	BEFORE INSERT OR UPDATE ON user_links
	FOR EACH ROW EXECUTE FUNCTION refuse_rows_for_deleted_user('user link');
