//! Pictures (REV-10): the bytes kept with a content record, and the known-bad image lists.
//! A perceptual hash is 64 bits; it is stored as the signed integer with the same bits,
//! since both backends' integers are signed 64-bit.

use qinglang_governance::images::{
    ImageList, ImageListEntry, ImageListsGeneration, ListAction, PerceptualHash, StoredImage,
};
use qinglang_governance::model::*;
use qinglang_governance::Error;

use crate::sql::{params, Conn, Row};

fn stored(hash: PerceptualHash) -> i64 {
    hash.0 as i64
}

fn read_hash(bits: i64) -> PerceptualHash {
    PerceptualHash(bits as u64)
}

pub(crate) fn insert_content_image(
    c: &mut dyn Conn,
    content: Id,
    image: &StoredImage,
) -> Result<(), Error> {
    c.execute(
        "INSERT INTO content_images (content_id, media_type, width, height, hash, bytes)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            content,
            image.media_type,
            image.width,
            image.height,
            stored(image.hash),
            image.bytes
        ],
    )?;
    Ok(())
}

pub(crate) fn content_image(c: &mut dyn Conn, content: Id) -> Result<Option<StoredImage>, Error> {
    c.first(
        "SELECT media_type, width, height, hash, bytes FROM content_images WHERE content_id = ?1",
        params![content],
        |r| {
            Ok(StoredImage {
                media_type: r.get(0)?,
                width: r.get::<_, i64>(1)?.clamp(0, i64::from(u32::MAX)) as u32,
                height: r.get::<_, i64>(2)?.clamp(0, i64::from(u32::MAX)) as u32,
                hash: read_hash(r.get(3)?),
                bytes: r.get(4)?,
            })
        },
    )
}

pub(crate) fn content_image_hashes_since(
    c: &mut dyn Conn,
    since: Timestamp,
) -> Result<Vec<(Id, PerceptualHash, u32, u32)>, Error> {
    let side = |v: i64| v.clamp(0, i64::from(u32::MAX)) as u32;
    c.rows(
        "SELECT i.content_id, i.hash, i.width, i.height
         FROM content_images i JOIN content c ON c.id = i.content_id
         WHERE c.at >= ?1 ORDER BY i.content_id",
        params![since.0],
        |r| {
            Ok((
                r.get(0)?,
                read_hash(r.get(1)?),
                side(r.get(2)?),
                side(r.get(3)?),
            ))
        },
    )
}

/// Pictures whose content record retention removed go with it.
pub(crate) fn prune_orphan_images(c: &mut dyn Conn) -> Result<u64, Error> {
    c.execute(
        "DELETE FROM content_images
         WHERE NOT EXISTS (SELECT 1 FROM content WHERE content.id = content_images.content_id)",
        params![],
    )
}

const LIST_COLUMNS: &str = "l.id, l.name, l.category, l.action, l.created_by, l.created_at,
    (SELECT count(*) FROM image_list_entries e WHERE e.list_id = l.id)";

fn list(r: &Row<'_, '_>) -> Result<ImageList, Error> {
    let action: String = r.get(3)?;
    Ok(ImageList {
        id: r.get(0)?,
        name: r.get(1)?,
        category: r.get(2)?,
        action: ListAction::parse(&action).unwrap_or(ListAction::Review),
        created_by: r.get(4)?,
        created_at: Timestamp(r.get(5)?),
        entries: r.get::<_, i64>(6)?.max(0) as u64,
    })
}

pub(crate) fn insert_image_list(c: &mut dyn Conn, l: &ImageList) -> Result<Id, Error> {
    c.insert(
        "INSERT INTO image_lists (name, category, action, created_by, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
        params![
            l.name,
            l.category,
            l.action.as_str(),
            l.created_by,
            l.created_at.0
        ],
    )
}

pub(crate) fn image_lists(c: &mut dyn Conn) -> Result<Vec<ImageList>, Error> {
    c.rows(
        &format!("SELECT {LIST_COLUMNS} FROM image_lists l ORDER BY l.id"),
        params![],
        list,
    )
}

pub(crate) fn image_list(c: &mut dyn Conn, id: Id) -> Result<Option<ImageList>, Error> {
    c.first(
        &format!("SELECT {LIST_COLUMNS} FROM image_lists l WHERE l.id = ?1"),
        params![id],
        list,
    )
}

const ENTRY_COLUMNS: &str = "id, list_id, hash, note, content_id, added_by, added_at";

fn entry(r: &Row<'_, '_>) -> Result<ImageListEntry, Error> {
    Ok(ImageListEntry {
        id: r.get(0)?,
        list: r.get(1)?,
        hash: read_hash(r.get(2)?),
        note: r.get(3)?,
        content: r.get(4)?,
        added_by: r.get(5)?,
        added_at: Timestamp(r.get(6)?),
    })
}

pub(crate) fn insert_image_list_entry(c: &mut dyn Conn, e: &ImageListEntry) -> Result<Id, Error> {
    c.insert(
        "INSERT INTO image_list_entries (list_id, hash, note, content_id, added_by, added_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id",
        params![
            e.list,
            stored(e.hash),
            e.note,
            e.content,
            e.added_by,
            e.added_at.0
        ],
    )
}

pub(crate) fn image_list_entry_with_hash(
    c: &mut dyn Conn,
    list: Id,
    hash: PerceptualHash,
) -> Result<Option<ImageListEntry>, Error> {
    c.first(
        &format!("SELECT {ENTRY_COLUMNS} FROM image_list_entries WHERE list_id = ?1 AND hash = ?2"),
        params![list, stored(hash)],
        entry,
    )
}

pub(crate) fn image_list_entries(
    c: &mut dyn Conn,
    list: Id,
    limit: u32,
    before: Option<Id>,
) -> Result<Vec<ImageListEntry>, Error> {
    c.rows(
        &format!(
            "SELECT {ENTRY_COLUMNS} FROM image_list_entries
             WHERE list_id = ?1 AND id < ?2 ORDER BY id DESC LIMIT ?3"
        ),
        params![list, before.unwrap_or(i64::MAX), i64::from(limit)],
        entry,
    )
}

pub(crate) fn delete_image_list_entry(
    c: &mut dyn Conn,
    list: Id,
    id: Id,
) -> Result<Option<ImageListEntry>, Error> {
    let found = c.first(
        &format!("SELECT {ENTRY_COLUMNS} FROM image_list_entries WHERE list_id = ?1 AND id = ?2"),
        params![list, id],
        entry,
    )?;
    if found.is_some() {
        c.execute(
            "DELETE FROM image_list_entries WHERE list_id = ?1 AND id = ?2",
            params![list, id],
        )?;
    }
    Ok(found)
}

pub(crate) fn image_list_hashes(c: &mut dyn Conn) -> Result<Vec<(Id, Id, PerceptualHash)>, Error> {
    c.rows(
        "SELECT list_id, id, hash FROM image_list_entries ORDER BY id",
        params![],
        |r| Ok((r.get(0)?, r.get(1)?, read_hash(r.get(2)?))),
    )
}

pub(crate) fn image_lists_generation(c: &mut dyn Conn) -> Result<ImageListsGeneration, Error> {
    let lists: i64 = c.scalar("SELECT count(*) FROM image_lists", params![])?;
    let (entries, highest): (i64, i64) = c.one(
        "SELECT count(*), coalesce(max(id), 0) FROM image_list_entries",
        params![],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok((lists.max(0) as u64, entries.max(0) as u64, highest))
}
