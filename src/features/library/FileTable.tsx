/**
 * The library table: sortable, filterable per column, groupable, virtualized
 * so a night of 1,000 files scrolls smoothly (only visible rows are in the DOM).
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import {
  flexRender,
  getCoreRowModel,
  getExpandedRowModel,
  getFilteredRowModel,
  getGroupedRowModel,
  getSortedRowModel,
  useReactTable,
  type ColumnFiltersState,
  type Header,
  type SortingState,
  type Row,
} from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import { columns, textOrRange } from './columns';
import type { LibraryRow } from './rows';
import { useLibrary } from './store';
import { useNav } from '../../ui/nav';

const ROW_HEIGHT = 30;
const SELECT_COL_WIDTH = 30;

function TypeBadge({ row }: { row: LibraryRow }) {
  return (
    <span className={`badge type-${row.typeClass}`} title={row.tagReason}>
      {row.type}
      {row.tagSource === 'user' && <span className="user-mark" aria-label="retagged by you"> ✎</span>}
    </span>
  );
}

function StatusCell({ row }: { row: LibraryRow }) {
  if (row.status === 'error') {
    return (
      <span className="status-error" title={row.message}>
        <span className="dot dot-error" aria-hidden /> error: {row.message}
      </span>
    );
  }
  if (row.stale) {
    return (
      <span className="status-stale" title="Its inputs, calibrations or parameters changed since it was made: the Runs view re-runs it">
        <span className="dot dot-warn" aria-hidden /> stale — {row.message}
      </span>
    );
  }
  if (row.leftOut) {
    return (
      <span className="status-ok" title={row.message ? `${row.leftOut}\n${row.message}` : row.leftOut}>
        <span className="dot dot-warn" aria-hidden /> ok<span className="status-note"> — {row.leftOut}</span>
      </span>
    );
  }
  // A product's message says how it was made; a raw file's says what to watch (saturation, a header repaired).
  const warning = row.message && row.typeClass !== 'product';
  return (
    <span className="status-ok" title={row.message || 'read and stored'}>
      <span className={`dot ${warning ? 'dot-warn' : 'dot-ok'}`} aria-hidden /> ok{row.message && <span className={warning ? 'status-note' : 'status-made'}> — {row.message}</span>}
    </span>
  );
}

/**
 * The name column is as wide as the longest name (measured in the table's font), within
 * bounds: names are what a user reads first, and a night's products have long ones.
 * Longer names end in an ellipsis and show whole in the cell's tooltip.
 */
function nameColumnWidth(rows: readonly LibraryRow[]): number {
  let longest = '';
  for (const r of rows) if (r.name.length > longest.length) longest = r.name;
  const ctx = typeof document !== 'undefined' ? document.createElement('canvas').getContext('2d') : null;
  if (!ctx) return 150;
  ctx.font = getComputedStyle(document.body).font;
  // Cell padding (12 px), the Inspect button (24 px) and a little air.
  return Math.round(Math.min(364, Math.max(174, ctx.measureText(longest).width + 44)));
}

/** A frame the inspector can show: read, with pixels (not a headers-only file). */
function inspectable(r: LibraryRow): boolean {
  return r.status === 'ok' && r.shape !== '';
}

function InspectButton({ row }: { row: LibraryRow }) {
  const inspect = useNav((s) => s.inspectFrames);
  const ok = inspectable(row);
  return (
    <button
      className="inspect-btn"
      aria-label={`Inspect ${row.name}`}
      title={ok ? 'Inspect (or double-click the row)' : 'No pixels to show'}
      disabled={!ok}
      onClick={(e) => { e.stopPropagation(); inspect([row.id]); }}
    >
      <svg width="13" height="13" viewBox="0 0 16 16" aria-hidden><circle cx="6.5" cy="6.5" r="4.5" fill="none" stroke="currentColor" strokeWidth="1.8" /><path d="M10 10l4.5 4.5" stroke="currentColor" strokeWidth="2" strokeLinecap="round" /></svg>
    </button>
  );
}

function renderCell(row: Row<LibraryRow>, columnId: string, fallback: React.ReactNode) {
  if (columnId === 'name') {
    return (
      <span className="name-cell">
        <span className="name-text" title={row.original.path ? `${row.original.path}/${row.original.name}` : row.original.name}>{row.original.name}</span>
        <InspectButton row={row.original} />
      </span>
    );
  }
  if (columnId === 'type') return <TypeBadge row={row.original} />;
  if (columnId === 'status') return <StatusCell row={row.original} />;
  if (columnId === 'tagKeyword') return <code className="keyword" title={row.original.tagReason}>{row.original.tagKeyword}</code>;
  // Header text cut off by a narrow column can still be read in full, as text, in its tooltip.
  if (columnId === 'filter' || columnId === 'object' || columnId === 'instrument') {
    const text = row.original[columnId];
    return text ? <span className="cell-text" title={text}>{text}</span> : fallback;
  }
  return fallback;
}

const RESIZE_STEP = 16;

/**
 * The right edge of a column's header: drag it (or focus it and press the
 * arrow keys) to change the column's width; a double-click gives the column
 * its default width back. For the status and decided-by columns, whose
 * messages are otherwise cut.
 */
function ColumnResizer({ header, widths, setWidths }: {
  header: Header<LibraryRow, unknown>;
  widths: Record<string, number>;
  setWidths: (w: Record<string, number>) => void;
}) {
  const { column } = header;
  const label = String(column.columnDef.header);
  const handler = header.getResizeHandler();
  const reset = () => {
    const { [column.id]: _, ...rest } = widths;
    setWidths(rest);
  };
  return (
    <div
      className={`col-resizer${column.getIsResizing() ? ' resizing' : ''}`}
      role="separator"
      aria-orientation="vertical"
      aria-label={`Width of ${label}`}
      aria-valuenow={header.getSize()}
      aria-valuemin={column.columnDef.minSize}
      aria-valuemax={column.columnDef.maxSize}
      tabIndex={0}
      title={`Drag to widen or narrow ${label}; double-click for its default width`}
      // No text selected on the way (the drag runs over the headers' labels).
      onMouseDown={(e) => { e.preventDefault(); handler(e); }}
      onTouchStart={handler}
      onDoubleClick={reset}
      onKeyDown={(e) => {
        if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
        e.preventDefault();
        const { minSize = 36, maxSize = 900 } = column.columnDef;
        const next = header.getSize() + (e.key === 'ArrowRight' ? RESIZE_STEP : -RESIZE_STEP);
        setWidths({ ...widths, [column.id]: Math.min(maxSize, Math.max(minSize, next)) });
      }}
    />
  );
}

export function FileTable({ rows, libraryEmpty }: { rows: LibraryRow[]; libraryEmpty: boolean }) {
  const inspect = useNav((s) => s.inspectFrames);
  const selection = useLibrary((s) => s.selection);
  const setSelection = useLibrary((s) => s.setSelection);
  const groupBy = useLibrary((s) => s.groupBy);
  const showHeader = useLibrary((s) => s.showHeader);
  const headerFileId = useLibrary((s) => s.headerFileId);
  const [sorting, setSorting] = useState<SortingState>([{ id: 'date_obs', desc: false }]);
  const [columnFilters, setColumnFilters] = useState<ColumnFiltersState>([]);
  const grouping = useMemo(() => (groupBy === 'none' ? [] : [groupBy]), [groupBy]);

  const nameWidth = useMemo(() => nameColumnWidth(rows), [rows]);
  const columnWidths = useLibrary((s) => s.columnWidths);
  const setColumnWidths = useLibrary((s) => s.setColumnWidths);
  // The name column fits the longest name until the user sets its width.
  const columnSizing = useMemo(() => ({ name: nameWidth, ...columnWidths }), [nameWidth, columnWidths]);
  const table = useReactTable({
    data: rows,
    columns,
    columnResizeMode: 'onChange',
    onColumnSizingChange: (updater) => setColumnWidths(typeof updater === 'function' ? updater(columnSizing) : updater),
    state: {
      columnSizing,
      sorting,
      columnFilters,
      grouping,
      rowSelection: selection,
      expanded: true,
      // The night column only shows when grouping by night: the table then still fits a laptop screen.
      columnVisibility: { night: groupBy === 'night' },
    },
    getRowId: (r) => r.id,
    onSortingChange: setSorting,
    onColumnFiltersChange: setColumnFilters,
    onRowSelectionChange: (updater) => setSelection(typeof updater === 'function' ? updater(selection) : updater),
    enableRowSelection: (r) => !r.getIsGrouped(),
    defaultColumn: { filterFn: textOrRange, minSize: 36, maxSize: 900 },
    getCoreRowModel: getCoreRowModel(),
    getSortedRowModel: getSortedRowModel(),
    getFilteredRowModel: getFilteredRowModel(),
    getGroupedRowModel: getGroupedRowModel(),
    getExpandedRowModel: getExpandedRowModel(),
    groupedColumnMode: false,
  });


  const tableRows = table.getRowModel().rows;
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: tableRows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  // The row another view asked for (useNav().showInLibrary) is scrolled into view.
  const focus = useNav((s) => s.focus);
  useEffect(() => {
    if (!focus) return;
    const index = tableRows.findIndex((r) => !r.getIsGrouped() && r.original.id === focus.fileId);
    if (index >= 0) virtualizer.scrollToIndex(index, { align: 'center' });
    // Only a new request scrolls; the rows changing under it do not.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [focus]);
  const items = virtualizer.getVirtualItems();
  const padTop = items.length ? items[0].start : 0;
  const padBottom = items.length ? virtualizer.getTotalSize() - items[items.length - 1].end : 0;
  const nCols = table.getVisibleLeafColumns().length + 1;
  const visibleLeafRows = table.getFilteredRowModel().flatRows.filter((r) => !r.getIsGrouped());

  return (
    <div className="table-scroll" ref={scrollRef}>
      <table
        className="file-table"
        aria-label="Files in the library"
        aria-rowcount={visibleLeafRows.length}
        style={{ width: table.getTotalSize() + SELECT_COL_WIDTH }}
      >
        <thead>
          {table.getHeaderGroups().map((hg) => (
            <tr key={hg.id}>
              <th className="select-col" style={{ width: SELECT_COL_WIDTH }}>
                <input
                  type="checkbox"
                  aria-label="Select all shown files"
                  checked={table.getIsAllRowsSelected()}
                  ref={(el) => { if (el) el.indeterminate = table.getIsSomeRowsSelected(); }}
                  onChange={table.getToggleAllRowsSelectedHandler()}
                />
              </th>
              {hg.headers.map((h) => {
                const sorted = h.column.getIsSorted();
                return (
                  <th key={h.id} style={{ width: h.getSize() }} aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : 'none'}>
                    <button className="th-sort" onClick={h.column.getToggleSortingHandler()} title="Sort">
                      {flexRender(h.column.columnDef.header, h.getContext())}
                      <span className="sort-mark">{sorted === 'asc' ? ' ▲' : sorted === 'desc' ? ' ▼' : ''}</span>
                    </button>
                    <input
                      className="th-filter"
                      aria-label={`Filter ${String(h.column.columnDef.header)}`}
                      placeholder="filter"
                      value={(h.column.getFilterValue() as string) ?? ''}
                      onChange={(e) => h.column.setFilterValue(e.target.value)}
                    />
                    <ColumnResizer header={h} widths={columnWidths} setWidths={setColumnWidths} />
                  </th>
                );
              })}
            </tr>
          ))}
        </thead>
        <tbody>
          {padTop > 0 && <tr style={{ height: padTop }} aria-hidden><td colSpan={nCols} /></tr>}
          {items.map((vi) => {
            const row = tableRows[vi.index];
            if (row.getIsGrouped()) {
              const value = row.groupingValue as string;
              return (
                <tr key={row.id} className="group-row" style={{ height: ROW_HEIGHT }}>
                  <td colSpan={nCols}>
                    <button className="group-toggle" onClick={row.getToggleExpandedHandler()}>
                      {row.getIsExpanded() ? '▾' : '▸'} {String(row.groupingColumnId)}: <strong>{value || '(none)'}</strong> · {row.subRows.length} file{row.subRows.length === 1 ? '' : 's'}
                    </button>
                  </td>
                </tr>
              );
            }
            const r = row.original;
            return (
              <tr
                key={row.id}
                data-file-id={r.id}
                className={`file-row${row.getIsSelected() ? ' selected' : ''}${r.status === 'error' ? ' error' : ''}${headerFileId === r.id ? ' focused' : ''}`}
                style={{ height: ROW_HEIGHT }}
                onClick={(e) => {
                  if ((e.target as HTMLElement).closest('input')) return;
                  if (e.shiftKey || e.ctrlKey || e.metaKey) row.toggleSelected();
                  else showHeader(r.id);
                }}
                onDoubleClick={(e) => {
                  if ((e.target as HTMLElement).closest('input, button') || !inspectable(r)) return;
                  inspect([r.id]);
                }}
              >
                <td className="select-col">
                  <input type="checkbox" aria-label={`Select ${r.name}`} checked={row.getIsSelected()} onChange={row.getToggleSelectedHandler()} />
                </td>
                {row.getVisibleCells().map((cell) => (
                  <td key={cell.id} className={`col-${cell.column.id}`}>
                    {renderCell(row, cell.column.id, flexRender(cell.column.columnDef.cell, cell.getContext()))}
                  </td>
                ))}
              </tr>
            );
          })}
          {padBottom > 0 && <tr style={{ height: padBottom }} aria-hidden><td colSpan={nCols} /></tr>}
        </tbody>
      </table>
      {rows.length === 0 &&
        (libraryEmpty ? (
          <div className="empty">
            <p><strong>The library is empty.</strong></p>
            <p>Drop a night of raw FITS files — or the whole folder — anywhere on this page, or use “Add files…”.</p>
            <p>No data at hand? “Load demo night” simulates biases, twilight flats and dithered star fields.</p>
            <p className="muted small">Files are read and stored in this browser only; nothing is uploaded.</p>
          </div>
        ) : (
          <p className="empty">No file matches the selection and column filters.</p>
        ))}
    </div>
  );
}
