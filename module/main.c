// SPDX-License-Identifier: GPL-2.0-only
#include <linux/module.h>
#include <linux/miscdevice.h>
#include <linux/fs.h>

static long syschain_ioctl(struct file *filp, unsigned int cmd, unsigned long arg)
{
	return -ENOTTY;
}

static const struct file_operations syschain_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = syschain_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice syschain_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "syschain",
	.fops = &syschain_fops,
	.mode = 0666,
};
module_misc_device(syschain_misc);
MODULE_LICENSE("GPL");
