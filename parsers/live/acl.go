package live

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"syscall"

	"github.com/nginx502-lint/nginx502-lint/lint"
)

// aclXattr is the extended attribute that holds a POSIX access ACL.
const aclXattr = "system.posix_acl_access"

// Tags of the entries of a POSIX ACL xattr (linux/posix_acl.h).
const (
	aclUserObj  = 0x01
	aclUser     = 0x02
	aclGroupObj = 0x04
	aclGroup    = 0x08
	aclMask     = 0x10
	aclOther    = 0x20
)

// readACL reads the POSIX access ACL of p, naming its entries with ids. It
// returns nil, nil when the file has none (only its mode bits) or the
// filesystem has no ACLs.
func readACL(p string, ids *idNames) (*lint.ACL, error) {
	buf := make([]byte, 1024)
	n, err := syscall.Getxattr(p, aclXattr, buf)
	if errors.Is(err, syscall.ERANGE) {
		if n, err = syscall.Getxattr(p, aclXattr, nil); err == nil {
			buf = make([]byte, n)
			n, err = syscall.Getxattr(p, aclXattr, buf)
		}
	}
	switch {
	case errors.Is(err, syscall.ENODATA), errors.Is(err, syscall.ENOTSUP), errors.Is(err, syscall.EOPNOTSUPP):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("read ACL of %s: %w", p, err)
	}
	acl, err := ParseACL(buf[:n])
	if err != nil {
		return nil, fmt.Errorf("read ACL of %s: %w", p, err)
	}
	for i := range acl.Users {
		acl.Users[i].Name = ids.user(acl.Users[i].ID)
	}
	for i := range acl.Groups {
		acl.Groups[i].Name = ids.group(acl.Groups[i].ID)
	}
	return acl, nil
}

// ParseACL decodes the system.posix_acl_access xattr: a 4-byte version (2)
// then 8-byte entries (tag, perm: 16 bits; id: 32 bits; little-endian).
// Named entries get the name "#ID".
func ParseACL(data []byte) (*lint.ACL, error) {
	if len(data) < 4 || (len(data)-4)%8 != 0 {
		return nil, fmt.Errorf("ACL of %d bytes: not a POSIX ACL", len(data))
	}
	if v := binary.LittleEndian.Uint32(data); v != 2 {
		return nil, fmt.Errorf("ACL version %d (want 2)", v)
	}
	acl := &lint.ACL{}
	for off := 4; off < len(data); off += 8 {
		tag := binary.LittleEndian.Uint16(data[off:])
		perm := uint32(binary.LittleEndian.Uint16(data[off+2:])) & 7
		id := int(binary.LittleEndian.Uint32(data[off+4:]))
		switch tag {
		case aclUserObj:
			acl.UserObj = perm
		case aclUser:
			acl.Users = append(acl.Users, lint.ACLEntry{Name: "#" + strconv.Itoa(id), ID: id, Perm: perm})
		case aclGroupObj:
			acl.GroupObj = perm
		case aclGroup:
			acl.Groups = append(acl.Groups, lint.ACLEntry{Name: "#" + strconv.Itoa(id), ID: id, Perm: perm})
		case aclMask:
			acl.Mask, acl.HasMask = perm, true
		case aclOther:
			acl.Other = perm
		default:
			return nil, fmt.Errorf("ACL entry with unknown tag %#x", tag)
		}
	}
	return acl, nil
}
