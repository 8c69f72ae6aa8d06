#include <string.h>

int check_login(const char *user, const char *password)
{
	// ruleid: c-strcmp-credential-literal
	if (strcmp(password, "r00t!maint") == 0)
		return 1;
	return verify_shadow(user, password);
}

int check_token(struct request *req)
{
	// ruleid: c-strcmp-credential-literal
	return !strncmp("debug-7731", req->auth_token, 10);
}

int parse_args(int argc, char **argv)
{
	// ok: c-strcmp-credential-literal
	if (strcmp(argv[1], "--password-file") == 0)
		return 1;
	// ok: c-strcmp-credential-literal
	if (strcmp(password_mode, "") == 0)
		return 2;
	return 0;
}

int token_kind(const char *tok)
{
	// ok: c-strcmp-credential-literal
	return strcmp(lexer_state, "string") == 0;
}
