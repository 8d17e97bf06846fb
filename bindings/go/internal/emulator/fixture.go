package emulator

// The emulator's fixture as JSON (GET /__emulator/fixture), read into Go
// values so that tests compute what each call should answer from the data
// itself, never from the emulator's own filtering code. nil is an absent
// element.

// Fixture is the emulator's data.
type Fixture struct {
	Credentials []struct {
		SecretID     string  `json:"secret_id"`
		SecretKey    string  `json:"secret_key"`
		SessionToken *string `json:"session_token"`
	} `json:"credentials"`
	// Buckets in fixture order, which every listing keeps.
	Buckets []Bucket `json:"buckets"`
}

// Bucket is a fixture bucket.
type Bucket struct {
	Name       string `json:"name"`
	Region     string `json:"region"`
	CreateTime string `json:"create_time"`
	// BucketLists are the bucket lists that list it, by the call's
	// snake_name ("media_buckets"), with what that list alone answers.
	BucketLists map[string]BucketListEntry `json:"bucket_lists"`
	// CI is its DescribeCIBuckets entry, nil for none.
	CI *CIEntry `json:"ci"`
	// Queues are its queues per queue call, by snake_name ("ai_queues").
	Queues map[string][]Queue `json:"queues"`
	Fault  any                `json:"fault"`
}

// BucketListEntry is what one bucket list answers of a bucket besides its
// name, region and create time.
type BucketListEntry struct {
	AliasBucketID *string `json:"alias_bucket_id"`
}

// CIEntry is a bucket's DescribeCIBuckets entry.
type CIEntry struct {
	BucketName *string `json:"bucket_name"`
	AppID      *string `json:"app_id"`
	Status     *string `json:"status"`
	// Tags are matched by tagKey, never answered.
	Tags map[string]string `json:"tags"`
}

// Queue is a fixture queue.
type Queue struct {
	QueueID       string        `json:"queue_id"`
	Name          *string       `json:"name"`
	State         *string       `json:"state"`
	NotifyConfig  *NotifyConfig `json:"notify_config"`
	MaxSize       *uint64       `json:"max_size"`
	MaxConcurrent *uint64       `json:"max_concurrent"`
	Category      *string       `json:"category"`
	UpdateTime    *string       `json:"update_time"`
	CreateTime    *string       `json:"create_time"`
	BucketID      *string       `json:"bucket_id"`
}

// NotifyConfig is a fixture queue's callback settings.
type NotifyConfig struct {
	URL          *string      `json:"url"`
	Event        *string      `json:"event"`
	Type         *string      `json:"type"`
	State        *string      `json:"state"`
	ResultFormat *string      `json:"result_format"`
	MqMode       *string      `json:"mq_mode"`
	MqRegion     *string      `json:"mq_region"`
	MqName       *string      `json:"mq_name"`
	KafkaConfig  *KafkaConfig `json:"kafka_config"`
}

// KafkaConfig is a NotifyConfig's CKafka settings.
type KafkaConfig struct {
	Region     *string `json:"region"`
	InstanceID *string `json:"instance_id"`
	Topic      *string `json:"topic"`
}

// Listed are the buckets the bucket list snakeName ("pic_buckets") lists,
// in its order.
func (f *Fixture) Listed(snakeName string) []Bucket {
	var out []Bucket
	for _, b := range f.Buckets {
		if _, ok := b.BucketLists[snakeName]; ok {
			out = append(out, b)
		}
	}
	return out
}

// CIListed are the buckets DescribeCIBuckets lists, in its order.
func (f *Fixture) CIListed() []Bucket {
	var out []Bucket
	for _, b := range f.Buckets {
		if b.CI != nil {
			out = append(out, b)
		}
	}
	return out
}

// Bucket finds a bucket by name.
func (f *Fixture) Bucket(name string) (Bucket, bool) {
	for _, b := range f.Buckets {
		if b.Name == name {
			return b, true
		}
	}
	return Bucket{}, false
}
