// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Installed kernels, their headers, and their vmxnet3 modules. The module each kernel would
 * load is found the way modprobe finds it: libkmod on that kernel's module directory (inside
 * the root) and its index (modules.dep.bin), by name. The module's modinfo is then read from
 * the file, resolved inside the root.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <libkmod.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "lib/fileio.h"
#include "lib/macro.h"
#include "lib/path.h"
#include "lib/kmod-util.h"
#include "lib/strv.h"
#include "system/kernel.h"

/* A kernel directory holds at most a few thousand entries; a root with more is not sane. */
#define KERNELS_MAX 1024
#define GRUBENV_MAX (64u * 1024)

static const char *const module_roots[] = { "/lib/modules", "/usr/lib/modules" };


static void kernel_done(struct kernel *k)
{
	free(k->release);
	free(k->modules_dir);
	free(k->headers);
	free(k->headers_package);
	free(k->inbox_vmxnet3);
	free(k->inbox_vmxnet3_srcversion);
	free(k->vnic_vmxnet3);
	free(k->vnic_vmxnet3_path);
}

void kernel_list_done(struct kernel_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		kernel_done(&l->kernels[i]);
	free(l->kernels);
	l->kernels = NULL;
	l->n = 0;
}

const struct kernel *kernel_list_find(const struct kernel_list *l, const char *release)
{
	for (size_t i = 0; l && i < l->n; i++)
		if (streq(l->kernels[i].release, release))
			return &l->kernels[i];
	return NULL;
}

const struct kernel *kernel_list_default(const struct kernel_list *l)
{
	for (size_t i = 0; l && i < l->n; i++)
		if (l->kernels[i].is_default)
			return &l->kernels[i];
	return l && l->n ? &l->kernels[l->n - 1] : NULL;
}

/* The flavour after the last '-' when it is a word ("5.14.21-150500.55.39-default"). */
static const char *release_flavour(const char *release)
{
	const char *dash = strrchr(release, '-');

	if (!dash || !isalpha((unsigned char)dash[1]))
		return NULL;
	return dash + 1;
}

char *kernel_headers_package(const struct distro *distro, const char *release)
{
	const char *flavour = release_flavour(release);
	char *s = NULL;
	int r = 0;

	switch (distro ? distro->family : DISTRO_FAMILY_UNKNOWN) {
	case DISTRO_FAMILY_DEBIAN:
		r = asprintf(&s, "linux-headers-%s", release);
		break;
	case DISTRO_FAMILY_RHEL:
		/* Oracle's Unbreakable Enterprise Kernel has its own devel package. */
		r = asprintf(&s, "%s-%s", strstr(release, "uek") ? "kernel-uek-devel" : "kernel-devel",
			     release);
		break;
	case DISTRO_FAMILY_SUSE:
		r = asprintf(&s, "kernel-%s-devel", flavour ? flavour : "default");
		break;
	case DISTRO_FAMILY_ARCH:
		/* "6.9.7-arch1-1" is linux; "6.6.35-1-lts" linux-lts; "-zen", "-hardened" alike. */
		if (flavour && (streq(flavour, "lts") || streq(flavour, "zen") ||
				streq(flavour, "hardened")))
			r = asprintf(&s, "linux-%s-headers", flavour);
		else
			s = strdup("linux-headers");
		break;
	case DISTRO_FAMILY_PHOTON:
		/* "5.10.216-1.ph4-esx" is linux-esx; "6.1.90-1.ph5" is linux. */
		if (flavour && !(flavour[0] == 'p' && flavour[1] == 'h' && isdigit((unsigned char)flavour[2])))
			r = asprintf(&s, "linux-%s-devel", flavour);
		else
			s = strdup("linux-devel");
		break;
	default:
		return NULL;
	}
	return r < 0 ? NULL : s;
}

/* A directory under /lib/modules is a kernel when it has modules, an index, or an image. */
static bool looks_like_kernel(const char *hostdir)
{
	static const char *const markers[] = { "kernel", "modules.dep", "modules.order",
					       "modules.builtin", "vmlinuz" };

	for (size_t i = 0; i < ELEMENTSOF(markers); i++) {
		_cleanup_free_ char *p = path_join(hostdir, markers[i]);
		struct stat st;

		/* The entry itself (lstat): a link is not followed out of the root. */
		if (p && lstat(p, &st) == 0)
			return true;
	}
	return false;
}

static void null_log(void *data, int priority, const char *file, int line, const char *fn,
		     const char *format, va_list args)
{
}

/*
 * Reads version and srcversion of the module file at host path. A context of its own: libkmod
 * keeps one module per name in a context, and refuses (-EEXIST) a second vmxnet3 from another
 * path in the one that did the lookup.
 */
static int module_versions(const char *hostdir, const char *host, char **ret_version,
			   char **ret_srcversion)
{
	static const char *const no_config[] = { NULL };
	_cleanup_kmod_ctx_ struct kmod_ctx *ctx = NULL;
	_cleanup_kmod_module_ struct kmod_module *mod = NULL;
	_cleanup_kmod_info_ struct kmod_list *info = NULL;
	_cleanup_free_ char *version = NULL, *srcversion = NULL;
	struct kmod_list *e;
	int r;

	ctx = kmod_new(hostdir, no_config);
	if (!ctx)
		return -ENOMEM;
	kmod_set_log_fn(ctx, null_log, NULL);
	r = kmod_module_new_from_path(ctx, host, &mod);
	if (r < 0)
		return r;
	r = kmod_module_get_info(mod, &info);
	if (r < 0)
		return r;
	kmod_list_foreach(e, info) {
		const char *key = kmod_module_info_get_key(e), *value = kmod_module_info_get_value(e);

		if (!value)
			continue;
		if (streq(key, "version") && !version)
			version = strdup(value);
		else if (streq(key, "srcversion") && !srcversion)
			srcversion = strdup(value);
	}
	*ret_version = TAKE_PTR(version);
	if (ret_srcversion)
		*ret_srcversion = TAKE_PTR(srcversion);
	return 0;
}

static bool is_vnic_version(const char *version)
{
	/* vnic's vmxnet3 starts at 2.0.0; every in-kernel and VMware one is 1.x. */
	return version && isdigit((unsigned char)version[0]) && atoi(version) >= 2;
}

/*
 * Fills the vmxnet3 fields of k: by index lookup first (what modprobe would load), then by the
 * well-known file locations when the index does not know the module or has none.
 */
static int kernel_find_vmxnet3(const char *root, struct kernel *k)
{
	static const char *const inbox_files[] = {
		"kernel/drivers/net/vmxnet3/vmxnet3.ko",     "kernel/drivers/net/vmxnet3/vmxnet3.ko.xz",
		"kernel/drivers/net/vmxnet3/vmxnet3.ko.zst", "kernel/drivers/net/vmxnet3/vmxnet3.ko.gz",
	};
	static const char *const vnic_files[] = {
		"updates/dkms/vmxnet3.ko", "updates/dkms/vmxnet3.ko.xz", "updates/dkms/vmxnet3.ko.zst",
		"extra/vmxnet3.ko",        "extra/vmxnet3.ko.xz",        "updates/vmxnet3.ko",
		"extra/vmxnet3/vmxnet3.ko", "weak-updates/vmxnet3.ko",
	};
	static const char *const no_config[] = { NULL };
	_cleanup_kmod_ctx_ struct kmod_ctx *ctx = NULL;
	_cleanup_kmod_list_ struct kmod_list *list = NULL;
	_cleanup_free_ char *hostdir = NULL;
	struct kmod_list *e;
	int r;

	r = path_chase(root, k->modules_dir, 0, &hostdir);
	if (r < 0)
		return r;
	/* No configuration: it cannot change which file a name resolves to, and the host's
	 * /etc/modprobe.d is not the root's. */
	ctx = kmod_new(hostdir, no_config);
	if (!ctx)
		return -ENOMEM;
	kmod_set_log_fn(ctx, null_log, NULL);

	if (kmod_module_new_from_lookup(ctx, "vmxnet3", &list) >= 0) {
		kmod_list_foreach(e, list) {
			_cleanup_kmod_module_ struct kmod_module *mod = kmod_module_get_module(e);
			_cleanup_free_ char *rel = NULL, *host = NULL, *version = NULL, *src = NULL;
			const char *path = mod ? kmod_module_get_path(mod) : NULL;
			size_t l = strlen(hostdir);

			if (!path)
				continue;
			if (strncmp(path, hostdir, l) == 0 && path[l] == '/') {
				/* The index names it; read it through the root (a weak-updates link
				 * may be absolute). */
				rel = path_join(k->modules_dir, path + l);
			} else if (strncmp(path, k->modules_dir, strlen(k->modules_dir)) == 0 &&
				   path[strlen(k->modules_dir)] == '/') {
				/* Old depmods wrote absolute paths ("/lib/modules/<release>/kernel/..."):
				 * they are paths inside the root, never the host's. */
				rel = strdup(path);
				l = strlen(k->modules_dir);
			} else {
				continue;
			}
			if (!rel)
				return -ENOMEM;
			if (path_chase(root, rel, 0, &host) < 0)
				continue;
			if (module_versions(hostdir, host, &version, &src) < 0)
				continue;
			if (strncmp(path + l + 1, "kernel/", 7) == 0) {
				if (!k->inbox_vmxnet3) {
					k->inbox_vmxnet3 = TAKE_PTR(version);
					k->inbox_vmxnet3_srcversion = TAKE_PTR(src);
				}
			} else if (is_vnic_version(version) && !k->vnic_vmxnet3) {
				k->vnic_vmxnet3 = TAKE_PTR(version);
				k->vnic_vmxnet3_path = TAKE_PTR(rel);
			}
		}
	}

	if (!k->inbox_vmxnet3)
		for (size_t i = 0; i < ELEMENTSOF(inbox_files); i++) {
			_cleanup_free_ char *rel = path_join(k->modules_dir, inbox_files[i]), *host = NULL;
			_cleanup_free_ char *version = NULL, *src = NULL;

			if (!rel)
				return -ENOMEM;
			if (path_chase(root, rel, 0, &host) < 0 ||
			    module_versions(hostdir, host, &version, &src) < 0)
				continue;
			k->inbox_vmxnet3 = TAKE_PTR(version);
			k->inbox_vmxnet3_srcversion = TAKE_PTR(src);
			break;
		}
	if (!k->vnic_vmxnet3)
		for (size_t i = 0; i < ELEMENTSOF(vnic_files); i++) {
			_cleanup_free_ char *rel = path_join(k->modules_dir, vnic_files[i]), *host = NULL;
			_cleanup_free_ char *version = NULL;

			if (!rel)
				return -ENOMEM;
			if (path_chase(root, rel, 0, &host) < 0 ||
			    module_versions(hostdir, host, &version, NULL) < 0 || !is_vnic_version(version))
				continue;
			k->vnic_vmxnet3 = TAKE_PTR(version);
			k->vnic_vmxnet3_path = TAKE_PTR(rel);
			break;
		}
	return 0;
}

static int kernel_find_headers(const char *root, struct kernel *k)
{
	_cleanup_free_ char *build = path_join(k->modules_dir, "build"), *host = NULL;
	struct stat st;

	if (!build)
		return -ENOMEM;
	/* The link's target must exist inside the root, as a directory: a link to /usr/src/...
	 * that is not installed there (or that would lead outside) does not count. */
	if (path_chase(root, build, 0, &host) < 0)
		return 0;
	if (stat(host, &st) < 0 || !S_ISDIR(st.st_mode))
		return 0;
	k->headers = TAKE_PTR(build);
	return 0;
}

/* The release an image name such as "vmlinuz-5.15.0-91-generic" stands for, if installed. */
static const char *release_from_image(const struct kernel_list *l, const char *image)
{
	const char *base = strrchr(image, '/');

	base = base ? base + 1 : image;
	if (strncmp(base, "vmlinuz-", 8) == 0)
		base += 8;
	else if (strncmp(base, "vmlinux-", 8) == 0)
		base += 8;
	else if (strncmp(base, "Image-", 6) == 0)
		base += 6;
	else
		return NULL;
	for (size_t i = 0; i < l->n; i++)
		if (streq(l->kernels[i].release, base))
			return l->kernels[i].release;
	return NULL;
}

static const char *default_from_symlink(const char *root, const struct kernel_list *l)
{
	static const char *const dirs[] = { "/boot", "/" };

	for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
		_cleanup_free_ char *hostdir = NULL, *host = NULL;
		char target[PATH_MAX];
		struct stat st;
		ssize_t n;
		const char *rel;

		/* The link itself is read, not followed: chase its directory only. */
		if (path_chase(root, dirs[i], 0, &hostdir) < 0)
			continue;
		host = path_join(hostdir, "vmlinuz");
		if (!host)
			return NULL;
		if (lstat(host, &st) < 0 || !S_ISLNK(st.st_mode))
			continue;
		n = readlink(host, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = 0;
		rel = release_from_image(l, target);
		if (rel)
			return rel;
	}
	return NULL;
}

/* Reads a small file inside root; NULL when absent or unreadable. */
static char *read_small(const char *root, const char *path, size_t max)
{
	_cleanup_free_ char *host = NULL;
	char *text = NULL;

	if (path_chase(root, path, 0, &host) < 0 || read_full_file(host, max, &text, NULL) < 0)
		return NULL;
	return text;
}

/* The installed release that is the longest substring of s (GRUB's saved_entry forms:
 * "<machine-id>-4.18.0-513.el8.x86_64", "CentOS Linux (3.10.0-1160.el7.x86_64) 7 (Core)"). */
static const char *release_in(const struct kernel_list *l, const char *s, size_t n)
{
	const char *best = NULL;

	for (size_t i = 0; i < l->n; i++) {
		const char *rel = l->kernels[i].release;

		if (memmem(s, n, rel, strlen(rel)) && (!best || strlen(rel) > strlen(best)))
			best = rel;
	}
	return best;
}

static const char *default_from_grubenv(const char *root, const struct kernel_list *l)
{
	static const char *const files[] = { "/boot/grub2/grubenv", "/boot/grub/grubenv" };

	for (size_t i = 0; i < ELEMENTSOF(files); i++) {
		_cleanup_free_ char *text = read_small(root, files[i], GRUBENV_MAX);
		const char *p;

		if (!text)
			continue;
		for (p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
			if (strncmp(p, "saved_entry=", 12) == 0) {
				const char *v = p + 12;
				const char *rel = release_in(l, v, strcspn(v, "\n"));

				if (rel)
					return rel;
			}
		}
	}
	return NULL;
}

/* The release a Boot Loader Specification entry boots ("version" or the "linux" image). */
static const char *release_of_bls_entry(const char *root, const char *path,
					const struct kernel_list *l)
{
	_cleanup_free_ char *text = read_small(root, path, GRUBENV_MAX);
	const char *rel = NULL;

	for (char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		size_t n = strcspn(p, "\n");

		if (strncmp(p, "version", 7) == 0 && (p[7] == ' ' || p[7] == '\t'))
			rel = release_in(l, p + 8, n - 8);
		else if (strncmp(p, "linux", 5) == 0 && (p[5] == ' ' || p[5] == '\t')) {
			_cleanup_free_ char *img = strndup(p + 6, n - 6);

			if (img)
				rel = release_from_image(l, img + strspn(img, " \t"));
		}
		if (rel)
			return rel;
	}
	return NULL;
}

/* systemd-boot: "default <entry id or glob>" in loader.conf, then that entry's release. */
static const char *default_from_loader_conf(const char *root, const struct kernel_list *l)
{
	static const char *const esps[] = { "/boot", "/efi", "/boot/efi" };

	for (size_t i = 0; i < ELEMENTSOF(esps); i++) {
		_cleanup_free_ char *conf = NULL, *text = NULL, *entries = NULL, *host = NULL;
		_cleanup_closedir_ DIR *d = NULL;
		char pattern[256] = "";
		struct dirent *de;

		if (asprintf(&conf, "%s/loader/loader.conf", esps[i]) < 0 ||
		    asprintf(&entries, "%s/loader/entries", esps[i]) < 0)
			return NULL;
		text = read_small(root, conf, GRUBENV_MAX);
		for (char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
			if (strncmp(p, "default", 7) == 0 && (p[7] == ' ' || p[7] == '\t')) {
				const char *v = p + 8 + strspn(p + 8, " \t");

				snprintf(pattern, sizeof(pattern), "%.*s", (int)strcspn(v, " \t\r\n"), v);
			}
		if (!*pattern || pattern[0] == '@' || path_chase(root, entries, 0, &host) < 0)
			continue;
		d = opendir(host);
		while (d && (de = readdir(d))) {
			char with_conf[300];
			_cleanup_free_ char *entry = NULL;
			const char *rel;

			snprintf(with_conf, sizeof(with_conf), "%s.conf", pattern);
			if (fnmatch(pattern, de->d_name, 0) != 0 && fnmatch(with_conf, de->d_name, 0) != 0)
				continue;
			entry = path_join(entries, de->d_name);
			rel = entry ? release_of_bls_entry(root, entry, l) : NULL;
			if (rel)
				return rel;
		}
	}
	return NULL;
}

/* Photon OS boots what /boot/photon.cfg says: photon_linux=vmlinuz-<release>. */
static const char *default_from_photon_cfg(const char *root, const struct kernel_list *l)
{
	_cleanup_free_ char *text = read_small(root, "/boot/photon.cfg", GRUBENV_MAX);
	const char *p;

	if (!text)
		return NULL;
	for (p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, "photon_linux=", 13) == 0) {
			_cleanup_free_ char *v = strndup(p + 13, strcspn(p + 13, "\n \t"));

			return v ? release_from_image(l, v) : NULL;
		}
	return NULL;
}

int kernel_release_compare(const char *a, const char *b)
{
	/* rpm's rule, which also orders Debian's, Arch's and SUSE's releases right: runs of
	 * digits compare as numbers, runs of letters as text, a number beats letters
	 * ("1160.108.1.el7" is newer than "1160.el7"), and more segments beat fewer. */
	for (;;) {
		const char *sa, *sb;
		size_t na, nb;
		bool digits;
		int c;

		while (*a && !isalnum((unsigned char)*a))
			a++;
		while (*b && !isalnum((unsigned char)*b))
			b++;
		if (!*a || !*b)
			return *a ? 1 : *b ? -1 : 0;
		digits = isdigit((unsigned char)*a);
		if (digits != !!isdigit((unsigned char)*b))
			return digits ? 1 : -1;
		sa = a;
		sb = b;
		if (digits) {
			while (*a && isdigit((unsigned char)*a))
				a++;
			while (*b && isdigit((unsigned char)*b))
				b++;
			while (*sa == '0' && sa + 1 < a)
				sa++;
			while (*sb == '0' && sb + 1 < b)
				sb++;
		} else {
			while (*a && isalpha((unsigned char)*a))
				a++;
			while (*b && isalpha((unsigned char)*b))
				b++;
		}
		na = (size_t)(a - sa);
		nb = (size_t)(b - sb);
		if (digits && na != nb)
			return na < nb ? -1 : 1;
		c = strncmp(sa, sb, na < nb ? na : nb);
		if (c)
			return c < 0 ? -1 : 1;
		if (na != nb)
			return na < nb ? -1 : 1;
	}
}

static int compare_kernels(const void *a, const void *b)
{
	const char *ra = ((const struct kernel *)a)->release, *rb = ((const struct kernel *)b)->release;
	int c = kernel_release_compare(ra, rb);

	/* Equal by segments ("5.10-1" and "5.10.1"): keep the order total. */
	return c ? c : strcmp(ra, rb);
}

static int add_kernels_from(const char *root, const char *dir, struct kernel_list *l)
{
	_cleanup_free_ char *hostdir = NULL;
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	int r;

	r = path_chase(root, dir, 0, &hostdir);
	if (r == -ENOENT || r == -ENOTDIR)
		return 0;
	if (r < 0)
		return r;
	d = opendir(hostdir);
	if (!d)
		return errno == ENOTDIR || errno == ENOENT ? 0 : negative_errno();
	while ((de = readdir(d))) {
		_cleanup_free_ char *moddir = NULL, *host = NULL;
		struct stat st;
		struct kernel *nk;

		if (de->d_name[0] == '.' || kernel_list_find(l, de->d_name))
			continue;
		moddir = path_join(dir, de->d_name);
		if (!moddir)
			return -ENOMEM;
		if (path_chase(root, moddir, 0, &host) < 0 || stat(host, &st) < 0 ||
		    !S_ISDIR(st.st_mode) || !looks_like_kernel(host))
			continue;
		if (l->n >= KERNELS_MAX)
			return -E2BIG;
		nk = realloc(l->kernels, sizeof(*nk) * (l->n + 1));
		if (!nk)
			return -ENOMEM;
		l->kernels = nk;
		nk = &l->kernels[l->n];
		memset(nk, 0, sizeof(*nk));
		nk->release = strdup(de->d_name);
		nk->modules_dir = TAKE_PTR(moddir);
		l->n++;
		if (!nk->release)
			return -ENOMEM;
	}
	return 0;
}

int kernel_list_detect(const char *root, const struct distro *distro, struct kernel_list *ret)
{
	_cleanup_(kernel_list_done) struct kernel_list l = {};
	const char *def;
	struct utsname u;
	bool live = root_is_host(root);
	int r;

	if (!live) {
		_cleanup_free_ char *rootdir = NULL;

		r = path_chase(root, "/", 0, &rootdir);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < ELEMENTSOF(module_roots); i++) {
		r = add_kernels_from(root, module_roots[i], &l);
		if (r < 0)
			return r;
	}
	if (l.n > 1)
		qsort(l.kernels, l.n, sizeof(*l.kernels), compare_kernels);

	for (size_t i = 0; i < l.n; i++) {
		struct kernel *k = &l.kernels[i];

		r = kernel_find_headers(root, k);
		if (r < 0)
			return r;
		if (distro) {
			k->headers_package = kernel_headers_package(distro, k->release);
			if (!k->headers_package && distro->family != DISTRO_FAMILY_UNKNOWN)
				return -ENOMEM;
		}
		r = kernel_find_vmxnet3(root, k);
		if (r == -ENOMEM)
			return r;
		if (live && uname(&u) == 0 && streq(u.release, k->release))
			k->running = true;
	}

	def = default_from_symlink(root, &l);
	if (!def)
		def = default_from_grubenv(root, &l);
	if (!def)
		def = default_from_loader_conf(root, &l);
	if (!def)
		def = default_from_photon_cfg(root, &l);
	if (!def && l.n > 0)
		def = l.kernels[l.n - 1].release;
	for (size_t i = 0; i < l.n; i++)
		l.kernels[i].is_default = streq(l.kernels[i].release, def);

	*ret = l;
	l.kernels = NULL;
	l.n = 0;
	return 0;
}
