package cloudinfinite

/*
#include "cloud_infinite.h"
*/
import "C"

import "unsafe"

// Results mirror the service's XML elements. A string or number the
// service left out is nil, never "" or 0: with QueueIDs, for example, an
// AI-queue page has no TotalCount, PageNumber or PageSize. Use [Value] to
// read an optional field with "" or 0 for absent.

// PicBucket is one bucket of DescribePicProcessBucket (PicBucketList).
type PicBucket struct {
	// BucketID (BucketId), e.g. "examplebucket-1250000000".
	BucketID *string
	// Name, the same as BucketID.
	Name *string
	// Region, e.g. "ap-beijing".
	Region *string
	// CreateTime as the service wrote it, e.g. "2019-11-15T12:12:12+0800".
	CreateTime *string
}

// PicBucketPage is one page of DescribePicProcessBucket.
type PicBucketPage struct {
	// RequestID (RequestId) of the answer.
	RequestID *string
	// TotalCount is the number of matching buckets across all pages.
	TotalCount *uint64
	// PageNumber, from 1.
	PageNumber *uint64
	// PageSize.
	PageSize *uint64
	// Buckets on this page (empty, not nil, when there are none).
	Buckets []PicBucket
}

// NotifyConfig is a queue's callback settings.
type NotifyConfig struct {
	// URL (Url) is the callback address.
	URL *string
	// Event, e.g. "TaskFinish,WorkflowFinish".
	Event *string
	// Type: "Url" or "TDMQ".
	Type *string
	// State: "On" or "Off".
	State *string
	// ResultFormat, e.g. "JSON".
	ResultFormat *string
	// MqMode is how TDMQ is used.
	MqMode *string
	// MqRegion is the TDMQ region.
	MqRegion *string
	// MqName is the TDMQ topic.
	MqName *string
}

// AIQueue is one queue of DescribeAiProcessQueues (QueueList).
type AIQueue struct {
	// QueueID (QueueId).
	QueueID *string
	// Name.
	Name *string
	// State: "Active" or "Paused".
	State *string
	// NotifyConfig is nil when the queue has none.
	NotifyConfig *NotifyConfig
	// MaxSize is the queue's maximum length.
	MaxSize *uint64
	// MaxConcurrent is how many jobs run in parallel.
	MaxConcurrent *uint64
	// Category, e.g. "AIProcess".
	Category *string
	// UpdateTime as the service wrote it.
	UpdateTime *string
	// CreateTime as the service wrote it.
	CreateTime *string
}

// AIQueuePage is one page of DescribeAiProcessQueues.
type AIQueuePage struct {
	// RequestID (RequestId) of the answer.
	RequestID *string
	// TotalCount of matching queues; nil when the query had QueueIDs.
	TotalCount *uint64
	// PageNumber; nil when the query had QueueIDs.
	PageNumber *uint64
	// PageSize; nil when the query had QueueIDs.
	PageSize *uint64
	// Queues on this page (empty, not nil, when there are none).
	Queues []AIQueue
	// NonExistPIDs lists requested QueueIDs that do not exist (empty, not
	// nil, when there are none).
	NonExistPIDs []string
}

// The converters copy everything out of C memory: the caller frees the C
// page right after, and no Go value may point into it.

func goPicBucketPage(p *C.ci_pic_bucket_page) *PicBucketPage {
	page := &PicBucketPage{
		RequestID:  optString(p.request_id),
		TotalCount: optUint64(p.has_total_count, p.total_count),
		PageNumber: optUint64(p.has_page_number, p.page_number),
		PageSize:   optUint64(p.has_page_size, p.page_size),
		Buckets:    make([]PicBucket, 0, int(p.buckets_len)),
	}
	if p.buckets_len > 0 {
		for _, b := range unsafe.Slice(p.buckets, int(p.buckets_len)) {
			page.Buckets = append(page.Buckets, PicBucket{
				BucketID:   optString(b.bucket_id),
				Name:       optString(b.name),
				Region:     optString(b.region),
				CreateTime: optString(b.create_time),
			})
		}
	}
	return page
}

func goAIQueuePage(p *C.ci_ai_queue_page) *AIQueuePage {
	page := &AIQueuePage{
		RequestID:    optString(p.request_id),
		TotalCount:   optUint64(p.has_total_count, p.total_count),
		PageNumber:   optUint64(p.has_page_number, p.page_number),
		PageSize:     optUint64(p.has_page_size, p.page_size),
		Queues:       make([]AIQueue, 0, int(p.queues_len)),
		NonExistPIDs: make([]string, 0, int(p.non_exist_pids_len)),
	}
	if p.queues_len > 0 {
		for _, q := range unsafe.Slice(p.queues, int(p.queues_len)) {
			page.Queues = append(page.Queues, AIQueue{
				QueueID:       optString(q.queue_id),
				Name:          optString(q.name),
				State:         optString(q.state),
				NotifyConfig:  goNotifyConfig(q.notify_config),
				MaxSize:       optUint64(q.has_max_size, q.max_size),
				MaxConcurrent: optUint64(q.has_max_concurrent, q.max_concurrent),
				Category:      optString(q.category),
				UpdateTime:    optString(q.update_time),
				CreateTime:    optString(q.create_time),
			})
		}
	}
	if p.non_exist_pids_len > 0 {
		for _, id := range unsafe.Slice(p.non_exist_pids, int(p.non_exist_pids_len)) {
			page.NonExistPIDs = append(page.NonExistPIDs, goStringOrEmpty(id))
		}
	}
	return page
}

func goNotifyConfig(n *C.ci_notify_config) *NotifyConfig {
	if n == nil {
		return nil
	}
	return &NotifyConfig{
		URL:          optString(n.url),
		Event:        optString(n.event),
		Type:         optString(n._type),
		State:        optString(n.state),
		ResultFormat: optString(n.result_format),
		MqMode:       optString(n.mq_mode),
		MqRegion:     optString(n.mq_region),
		MqName:       optString(n.mq_name),
	}
}
