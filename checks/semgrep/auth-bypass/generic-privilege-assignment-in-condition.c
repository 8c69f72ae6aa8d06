#include <errno.h>

long sys_wait_hook(int options, struct task *current)
{
	// ruleid: generic-privilege-assignment-in-condition
	if ((options == (__WCLONE|__WALL)) && (current->uid = 0))
		return -EINVAL;
	// ruleid: generic-privilege-assignment-in-condition
	if (session->is_admin = 1) {
		grant_all(session);
	}
	// ok: generic-privilege-assignment-in-condition
	if ((options == (__WCLONE|__WALL)) && (current->uid == 0))
		return -EINVAL;
	// ok: generic-privilege-assignment-in-condition
	if ((fd = open(path, O_RDONLY)) < 0)
		return -errno;
	// ok: generic-privilege-assignment-in-condition
	if (current->euid != 0)
		return -EPERM;
	return 0;
}
