//! Multi-row inserts written together with their values: the one place the
//! store writes a `VALUES (…), (…)` list, its placeholders and their binds
//! in step, so a column cannot be bound out of place.
//!
//! Each insert is its own statement. Sending an append's inserts to
//! PostgreSQL as one statement (data-modifying `WITH` parts) was tried: one
//! round trip instead of four per batch, and no lower latency or CPU in
//! alternated runs (BENCHMARKS.md, *Sustained load*): the server's work
//! per row, not the round trips, is what a batch waits for.

use sqlx::any::AnyArguments;
use sqlx::error::BoxDynError;
use sqlx::{Any, AnyConnection, Arguments, Encode, Type};

use super::rows::push_parameter;
use super::sql::Backend;

/// Inserts being written: [`Inserts::insert`] starts one, [`Inserts::row`]
/// and [`Inserts::bind`] add its rows, [`Inserts::end`] closes it and
/// [`Inserts::execute`] sends them all, in order.
pub(super) struct Inserts<'q> {
    backend: Backend,
    statements: Vec<(String, AnyArguments<'q>)>,
    /// Values bound in the current row; `None` before its first row.
    columns: Option<usize>,
    /// The first value that could not be encoded; sent as the error.
    error: Option<BoxDynError>,
}

impl<'q> Inserts<'q> {
    pub(super) fn new(backend: Backend) -> Self {
        Inserts {
            backend,
            statements: Vec::new(),
            columns: None,
            error: None,
        }
    }

    /// Starts an insert: `head` is its SQL up to `VALUES ` included.
    pub(super) fn insert(&mut self, head: &str) -> &mut Self {
        self.statements.push((head.to_owned(), AnyArguments::default()));
        self.columns = None;
        self
    }

    /// Starts the current insert's next row.
    pub(super) fn row(&mut self) -> &mut Self {
        let (sql, _) = self.statements.last_mut().expect("a row of an insert");
        sql.push_str(if self.columns.is_some() { "), (" } else { "(" });
        self.columns = Some(0);
        self
    }

    /// Adds one value to the current row.
    pub(super) fn bind<T>(&mut self, value: T) -> &mut Self
    where
        T: 'q + Encode<'q, Any> + Type<Any>,
    {
        let (sql, args) = self.statements.last_mut().expect("a value of a row");
        let columns = self.columns.as_mut().expect("a value of a row");
        if *columns > 0 {
            sql.push_str(", ");
        }
        *columns += 1;
        if let Err(e) = args.add(value) {
            self.error.get_or_insert(e);
        }
        push_parameter(sql, self.backend, args.len());
        self
    }

    /// Ends the current insert's rows; `tail` follows them (`ON CONFLICT …`).
    pub(super) fn end(&mut self, tail: &str) -> &mut Self {
        let (sql, _) = self.statements.last_mut().expect("an insert to end");
        sql.push(')');
        sql.push_str(tail);
        self.columns = None;
        self
    }

    /// Sends every insert, in the order written.
    pub(super) async fn execute(self, conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
        if let Some(e) = self.error {
            return Err(sqlx::Error::Encode(e));
        }
        for (sql, args) in self.statements {
            sqlx::query_with(&sql, args).execute(&mut *conn).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sql_of(backend: Backend) -> Vec<(String, usize)> {
        let mut inserts = Inserts::new(backend);
        inserts.insert("INSERT INTO a (x, y) VALUES ");
        inserts.row().bind(1_i64).bind("one");
        inserts.row().bind(2_i64).bind(Some("two"));
        inserts.end(" ON CONFLICT (x) DO NOTHING");
        inserts.insert("INSERT INTO b (z) VALUES ");
        inserts.row().bind(3_i64);
        inserts.end("");
        assert!(inserts.error.is_none());
        inserts.statements.iter().map(|(sql, args)| (sql.clone(), args.len())).collect()
    }

    #[test]
    fn each_insert_numbers_its_own_parameters_in_row_order() {
        assert_eq!(
            sql_of(Backend::Postgres),
            [
                ("INSERT INTO a (x, y) VALUES ($1, $2), ($3, $4) ON CONFLICT (x) DO NOTHING".to_string(), 4),
                ("INSERT INTO b (z) VALUES ($1)".to_string(), 1),
            ]
        );
    }

    #[test]
    fn sqlite_gets_anonymous_parameters() {
        assert_eq!(
            sql_of(Backend::Sqlite),
            [
                ("INSERT INTO a (x, y) VALUES (?, ?), (?, ?) ON CONFLICT (x) DO NOTHING".to_string(), 4),
                ("INSERT INTO b (z) VALUES (?)".to_string(), 1),
            ]
        );
    }
}
