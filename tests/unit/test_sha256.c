// SPDX-License-Identifier: GPL-2.0-or-later
/* SHA-256 against digests computed by sha256sum, including block-boundary lengths. */
#include "unit.h"

#include "lib/sha256.h"

static void check(const char *input, size_t n, const char *want)
{
	char got[SHA256_HEX_SIZE];

	sha256_hex(input, n, got);
	assert_string_equal(got, want);
}

static void test_known_digests(void **state)
{
	static char million[1000000];

	check("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	check("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	check("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
	      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	memset(million, 'a', sizeof(million));
	check(million, sizeof(million),
	      "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_digests),
	};

	return cmocka_run_group_tests_name("sha256", tests, NULL, NULL);
}
